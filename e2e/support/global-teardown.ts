import { removeRunResources, runId } from './images';

export default async function globalTeardown(): Promise<void> {
  await removeRunResources(runId());
}
