import { randomBytes } from 'node:crypto';
import { buildImages, removeRunResources, runId, startRun } from './images';

/**
 * Once per jest run: builds the node, client and gateway images from the
 * repo's Dockerfiles and shares the run id (hence the image tags) with every
 * test through the environment. An interrupted run (Ctrl-C, CI cancel) still
 * removes what it created, since nothing else would: Ryuk is disabled here.
 */
export default async function globalSetup(): Promise<void> {
  const id = randomBytes(4).toString('hex');
  startRun(id);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: removing the containers, networks and images of e2e run ${id}...\n`);
      void removeRunResources(id).finally(() => process.exit(130));
    });
  }
  const started = performance.now();
  try {
    await buildImages(id);
  } catch (error) {
    await removeRunResources(runId());
    throw error;
  }
  process.stderr.write(`\ne2e run ${id}: images built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
