import { main, type Run } from '../src/cli';
import { INFRA_DIR } from '../src/paths';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, exitCode = 0) {
  const runs: Run[] = [];
  const info: string[] = [];
  const errors: string[] = [];
  const code = await main(argv, {
    env,
    run: async (run) => {
      runs.push(run);
      return exitCode;
    },
    output: { info: (line) => info.push(line), error: (line) => errors.push(line) },
  });
  return { code, runs, info, errors };
}

const cdkArgs = (run: Run) => run.args.slice(1);

describe('npm run infra:synth|diff|deploy', () => {
  it('synth runs the pinned cdk CLI in deploy/infra, offline (no notices, version check or telemetry), and names the templates', async () => {
    const { code, runs, info } = await cli(['synth']);

    expect(code).toBe(0);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.args[0]).toBe(require.resolve('aws-cdk/bin/cdk'));
    expect(cdkArgs(runs[0]!)).toEqual(['synth', '--quiet', '--no-notices']);
    expect(runs[0]!.cwd).toBe(INFRA_DIR);
    expect(runs[0]!.env).toMatchObject({ CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' });
    expect(info.at(-1)).toMatch(
      /^synthesized in [\d.]+ s: deploy\/infra\/cdk\.out\/ping-pong-production\.template\.json, deploy\/infra\/cdk\.out\/ping-pong-staging\.template\.json$/,
    );
  });

  it.each([
    [
      ['diff', '--env', 'staging'],
      ['diff', 'ping-pong-staging', '--no-notices'],
    ],
    [
      ['deploy', '--env', 'production'],
      ['deploy', 'ping-pong-production', '--exclusively', '--no-notices'],
    ],
  ])('%j acts on that environment’s stack only', async (argv, expected) => {
    const { code, runs } = await cli(argv, { AWS_REGION: 'eu-west-1' });

    expect(code).toBe(0);
    expect(runs.map(cdkArgs)).toEqual([expected]);
  });

  it('passes the cdk CLI’s failure on', async () => {
    expect((await cli(['deploy', '--env', 'staging'], {}, 1)).code).toBe(1);
  });

  it('refuses an AWS_REGION other than the environment file’s, before running anything: exit 2', async () => {
    const { code, runs, errors } = await cli(['deploy', '--env', 'production'], { AWS_REGION: 'us-east-1' });

    expect(code).toBe(2);
    expect(runs).toEqual([]);
    expect(errors[0]).toBe(
      'AWS_REGION is us-east-1 but environment production is in eu-west-1 (deploy/environments/production.json); unset AWS_REGION or fix the file',
    );
  });

  it.each([
    [['deploy'], '--env <name> is required (one of production, staging)'],
    [['diff', '--env', 'prod'], 'prod: no such environment (known: production, staging)'],
    [['synth', '--env', 'staging'], 'infra:synth writes every environment; --env is for the other commands'],
    [['rollback', '--env', 'staging'], 'unknown command "rollback"'],
    [['deploy', '--env', 'staging', '--force'], "Unknown option '--force'"],
  ])('bad usage %j exits 2 with %s and runs nothing', async (argv, problem) => {
    const { code, runs, errors } = await cli(argv);

    expect(code).toBe(2);
    expect(runs).toEqual([]);
    expect(errors[0]).toContain(problem);
  });
});
