import { loadEnvironment } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { commitTag, gitCommit } from './commit';

const TARGET_USAGE = 'usage: npm run --silent deploy:target -- <environment>... >> "$GITHUB_OUTPUT"';

/**
 * Where a delivery goes, as GitHub Actions output lines: `tag=git-<sha12>` for
 * the checked-out commit, then per environment a JSON object with the region,
 * the registry and the deploy role ARN, all derived from
 * deploy/environments/<name>.json, so the workflow repeats none of them.
 */
export function deployTargets(environmentNames: readonly string[], commit: string): string[] {
  if (environmentNames.length === 0) throw new ConfigError(['name at least one environment (a file in deploy/environments/)']);
  const lines = [`tag=${commitTag(commit)}`];
  for (const name of environmentNames) {
    const environment = loadEnvironment(name);
    const target = { region: environment.region, registry: environment.registry, deployRoleArn: environment.roleArns.deploy };
    lines.push(`${environment.name}=${JSON.stringify(target)}`);
  }
  return lines;
}

if (require.main === module) {
  try {
    if (process.argv.slice(2).some((arg) => arg.startsWith('-'))) throw new ConfigError([TARGET_USAGE]);
    for (const line of deployTargets(process.argv.slice(2), gitCommit())) console.log(line);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(problem);
    process.exitCode = 2;
  }
}
