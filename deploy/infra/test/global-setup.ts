import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCdkApp } from '../src/cdk-app';

/**
 * Synthesizes every environment once for the whole run, as `npm run
 * infra:synth` does (cdk.json's feature flags, cdk-nag's AwsSolutions checks
 * with the acknowledgements), into a temporary cloud assembly that the test
 * files read. A finding nobody acknowledged stops the run here.
 */
export default function globalSetup(): void {
  const outdir = mkdtempSync(path.join(tmpdir(), 'infra-assembly-'));
  buildCdkApp({ outdir }).app.synth();
  process.env.INFRA_TEST_ASSEMBLY = outdir;
}
