import { ConfigError } from '@ping-pong/tooling';
import { buildCdkApp } from './cdk-app';

// The app the cdk CLI runs (cdk.json): every environment, so `cdk synth` writes all templates and diff/deploy pick one by name.
try {
  buildCdkApp().app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(problem);
  process.exit(2);
}
