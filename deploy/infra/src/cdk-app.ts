import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENVIRONMENTS_DIR, environmentNames } from '@ping-pong/deploy-config';
import { acknowledgeFindings } from './acknowledgements';
import { loadStackInput } from './stack-input';
import { INFRA_DIR } from './paths';
import { EnvironmentStack } from './stack';

/**
 * cdk.json's context: the feature flags. The cdk CLI passes them to the app it
 * runs, but an App built in-process (tests) does not read them by itself.
 */
export function featureFlags(): Record<string, unknown> {
  return (JSON.parse(readFileSync(path.join(INFRA_DIR, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * A stack per environment file (or just the ones named), with cdk.json's
 * feature flags however it is run, checked by cdk-nag's AwsSolutions pack: a
 * finding that is not acknowledged, with its reason, in acknowledgements.ts
 * stops the synthesis.
 */
export function buildCdkApp(
  props: Omit<AppProps, 'context'> = {},
  {
    environmentsDir = ENVIRONMENTS_DIR,
    environments = environmentNames(environmentsDir),
    acknowledge = true,
  }: { environmentsDir?: string; environments?: readonly string[]; acknowledge?: boolean } = {},
): { app: App; stacks: EnvironmentStack[] } {
  const app = new App({ analyticsReporting: false, context: featureFlags(), ...props });
  const stacks = environments.map((name) => new EnvironmentStack(app, loadStackInput(name, environmentsDir)));
  if (acknowledge) for (const stack of stacks) acknowledgeFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
