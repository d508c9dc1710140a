import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { displayPath, type Environment, environmentNames } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import {
  type AwsClients,
  checkCertificate,
  checkServiceLinkedRoles,
  createAwsClients,
  ensureServiceLinkedRoles,
  PreflightError,
} from './preflight';
import { loadStackInput } from './stack-input';
import { INFRA_DIR } from './paths';
import { stackName } from './stack';

const USAGE = `usage: npm run infra:synth
       npm run infra:bootstrap -- --env <name>
       npm run infra:diff -- --env <name>
       npm run infra:deploy -- --env <name>
       npm run infra:destroy -- --env <name>`;

const COMMANDS = ['synth', 'bootstrap', 'diff', 'deploy', 'destroy'] as const;
type Command = (typeof COMMANDS)[number];

/** Exit codes: the cdk CLI's own (0 done, 1 failed), and 2 for bad input found before it runs. */
const FAILED = 1;
const BAD_INPUT = 2;

export interface Run {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface CliDependencies {
  env: NodeJS.ProcessEnv;
  /** Runs a process with this terminal; resolves with its exit code. */
  run(process: Run): Promise<number>;
  /** The IAM and ACM clients of the checks around the cdk CLI, in the environment's region. */
  createClients(region: string): AwsClients;
  output: { info(line: string): void; error(line: string): void };
}

const defaultDependencies: CliDependencies = {
  env: process.env,
  createClients: createAwsClients,
  run: ({ command, args, cwd, env }) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    }),
  output: { info: (line) => console.log(line), error: (line) => console.error(line) },
};

function parseCommandLine(argv: readonly string[]): { command: Command; env?: string } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: { env: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  if (parsed.values.help) return undefined;
  const [command, ...rest] = parsed.positionals;
  if (!COMMANDS.includes(command as Command)) throw new ConfigError([`unknown command ${JSON.stringify(command)}`]);
  if (rest.length > 0) throw new ConfigError([`unexpected ${rest.map((word) => JSON.stringify(word)).join(' ')}`]);
  if (command === 'synth' && parsed.values.env !== undefined)
    throw new ConfigError(['infra:synth writes every environment; --env is for the other commands']);
  if (command !== 'synth' && !parsed.values.env)
    throw new ConfigError([`--env <name> is required (one of ${environmentNames().join(', ')})`]);
  return { command: command as Command, env: parsed.values.env };
}

/**
 * `npm run infra:<command>`: checks the environment files (all for synth, the
 * named one otherwise) and AWS_REGION before anything runs, then runs the
 * pinned cdk CLI in deploy/infra/ on that environment's account and region
 * (bootstrap) or stack. The account and region are the environment file's,
 * through the stack's env: the CLI refuses credentials of another account.
 */
export async function main(argv: readonly string[], dependencies: CliDependencies = defaultDependencies): Promise<number> {
  const { output, env } = dependencies;
  let args;
  /** The environment acted on; undefined for synth, which checks every file. */
  let target: Environment | undefined;
  try {
    args = parseCommandLine(argv);
    if (!args) {
      output.info(USAGE);
      return 0;
    }
    const environments = (args.env ? [args.env] : environmentNames()).map((name) => loadStackInput(name).environment);
    if (args.env) {
      target = environments[0]!;
      if (env.AWS_REGION && env.AWS_REGION !== target.region) {
        throw new ConfigError([
          `AWS_REGION is ${env.AWS_REGION} but environment ${target.name} is in ${target.region} (${displayPath(target.file)}); unset AWS_REGION or fix the file`,
        ]);
      }
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) output.error(problem);
    output.error(USAGE);
    return BAD_INPUT;
  }

  try {
    // Before a deploy, what CloudFormation would otherwise fail on halfway through: the service-linked roles, the certificate.
    if (args.command === 'deploy') await preflightDeploy(dependencies, target!);
  } catch (error) {
    return reportPreflight(error, output);
  }

  const cdkArgs = cdkArgsFor(args.command, target);
  const startedAt = Date.now();
  const code = await dependencies.run({
    command: process.execPath,
    args: [require.resolve('aws-cdk/bin/cdk'), ...cdkArgs, '--no-notices'],
    cwd: INFRA_DIR,
    // No version check, notices or telemetry: synthesis stays offline.
    env: { ...env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (code === 0 && args.command === 'synth') {
    const templates = environmentNames().map((name) => displayPath(path.join(INFRA_DIR, 'cdk.out', `${stackName(name)}.template.json`)));
    output.info(`synthesized in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${templates.join(', ')}`);
  }
  if (code === 0 && args.command === 'bootstrap') {
    // After cdk bootstrap, which refuses credentials of another account than the file's.
    try {
      await ensureServiceLinkedRoles(dependencies.createClients(target!.region).iam, output.info);
    } catch (error) {
      return reportPreflight(error, output);
    }
  }
  return code;
}

async function preflightDeploy({ createClients, output }: CliDependencies, environment: Environment): Promise<void> {
  const { iam, acm } = createClients(environment.region);
  await checkServiceLinkedRoles(iam, environment);
  const certificate = await checkCertificate(acm, environment);
  if (certificate) output.info(certificate);
}

/** A check's finding about the files or the account exits 2 (nothing was changed); a failed AWS call exits 1. */
function reportPreflight(error: unknown, output: CliDependencies['output']): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) output.error(problem);
    return BAD_INPUT;
  }
  if (error instanceof PreflightError) {
    output.error(error.message);
    return FAILED;
  }
  throw error;
}

/** What the pinned cdk CLI is asked to do: every stack for synth, the environment's account and region or stack otherwise. */
function cdkArgsFor(command: Command, environment: Environment | undefined): string[] {
  if (command === 'synth') return ['synth', '--quiet'];
  const { name, account, region } = environment!;
  if (command === 'bootstrap') return ['bootstrap', `aws://${account}/${region}`];
  if (command === 'deploy') return ['deploy', stackName(name), '--exclusively'];
  return [command, stackName(name)];
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
