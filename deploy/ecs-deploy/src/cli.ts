import { parseArgs } from 'node:util';
import { type AwsClients, createAwsClients } from './aws';
import { type Clock, systemClock } from './clock';
import { commitTag, gitCommit } from './commit';
import { deploy, ExitCode } from './deploy';
import { loadEnvironment, renderTaskDefinitions } from '@ping-pong/deploy-config';
import { ConfigError, parseWholeNumber } from '@ping-pong/tooling';
import { consoleOutput, type Output } from './output';

const USAGE =
  'usage: npm run deploy:ecs -- --env <name> [--tag <tag>] [--dry-run] [--no-wait] [--timeout <seconds>] [--placement-timeout <seconds>] [--keep <n>]';

export interface CliDependencies {
  env: NodeJS.ProcessEnv;
  /** The full sha of the checked-out commit; throws when there is none. */
  gitCommit(): string;
  createClients(region: string): AwsClients;
  clock: Clock;
  output: Output;
}

const defaultDependencies: CliDependencies = {
  env: process.env,
  gitCommit,
  createClients: createAwsClients,
  clock: systemClock,
  output: consoleOutput,
};

function parseCommandLine(argv: readonly string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        tag: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'no-wait': { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'placement-timeout': { type: 'string' },
        keep: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  if (values.help) return undefined;
  if (!values.env) throw new ConfigError(['--env <name> is required (a file in deploy/environments/, like production)']);
  return {
    env: values.env,
    tag: values.tag,
    dryRun: values['dry-run'],
    wait: !values['no-wait'],
    timeoutSeconds: parseWholeNumber('--timeout', values.timeout) ?? 900,
    placementTimeoutSeconds: parseWholeNumber('--placement-timeout', values['placement-timeout']) ?? 180,
    keep: parseWholeNumber('--keep', values.keep) ?? 5,
  };
}

/**
 * `npm run deploy:ecs`: everything that can be wrong locally (arguments,
 * environment, task definitions, tag, region) is checked before the first AWS
 * call and exits 2, as does an image missing from the registry (checked
 * before any write); the deploy itself exits 0, 1 or 3.
 */
export async function main(argv: readonly string[], dependencies: CliDependencies = defaultDependencies): Promise<ExitCode> {
  const { output, env } = dependencies;
  try {
    const args = parseCommandLine(argv);
    if (!args) {
      output.info(USAGE);
      return ExitCode.deployed;
    }
    const environment = loadEnvironment(args.env);
    if (env.AWS_REGION && env.AWS_REGION !== environment.region) {
      throw new ConfigError([
        `AWS_REGION is ${env.AWS_REGION} but environment ${environment.name} is in ${environment.region} (${environment.file}); unset AWS_REGION or fix the file`,
      ]);
    }
    let tag = args.tag;
    if (tag === undefined) {
      try {
        tag = commitTag(dependencies.gitCommit());
      } catch {
        throw new ConfigError(['no --tag given and no git commit to derive git-<sha12> from: pass --tag']);
      }
    }
    const taskDefinitions = renderTaskDefinitions(environment, { tag, registry: env.ECR_REGISTRY || environment.registry });
    return await deploy(
      { ...args, environment, tag, taskDefinitions },
      { clients: dependencies.createClients(environment.region), clock: dependencies.clock, output },
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      output.error(`deploy stopped by an unexpected error: ${(error as Error).stack ?? String(error)}`);
      return ExitCode.failed;
    }
    for (const problem of error.problems) output.error(problem);
    output.error(USAGE);
    return ExitCode.badInput;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
