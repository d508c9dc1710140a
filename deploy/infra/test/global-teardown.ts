import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  if (process.env.INFRA_TEST_ASSEMBLY) rmSync(process.env.INFRA_TEST_ASSEMBLY, { recursive: true, force: true });
}
