import { ACMClient, DescribeCertificateCommand, ResourceNotFoundException } from '@aws-sdk/client-acm';
import {
  CreateServiceLinkedRoleCommand,
  GetRoleCommand,
  IAMClient,
  InvalidInputException,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { loadEnvironment } from '@ping-pong/deploy-config';
import { mockClient } from 'aws-sdk-client-mock';
import { main, type Run } from '../src/cli';
import { INFRA_DIR } from '../src/paths';

const iam = mockClient(IAMClient);
const acm = mockClient(ACMClient);
const production = loadEnvironment('production');
const certificateArn = production.loadBalancer.listener.protocol === 'HTTPS' ? production.loadBalancer.listener.certificateArn : '';

beforeEach(() => {
  iam.reset();
  acm.reset();
  iam.on(GetRoleCommand).resolves({});
  iam.on(CreateServiceLinkedRoleCommand).resolves({});
  acm
    .on(DescribeCertificateCommand)
    .resolves({ Certificate: { CertificateArn: certificateArn, Status: 'ISSUED', DomainName: 'app.example.com' } });
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, exitCode = 0) {
  const runs: Run[] = [];
  const info: string[] = [];
  const errors: string[] = [];
  const regions: string[] = [];
  const code = await main(argv, {
    env,
    run: async (run) => {
      runs.push(run);
      return exitCode;
    },
    createClients: (region) => {
      regions.push(region);
      return { iam: new IAMClient({ region }), acm: new ACMClient({ region }) };
    },
    output: { info: (line) => info.push(line), error: (line) => errors.push(line) },
  });
  return { code, runs, info, errors, regions };
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

const roleCalls = (command: typeof GetRoleCommand | typeof CreateServiceLinkedRoleCommand): unknown[] =>
  iam.commandCalls(command as typeof GetRoleCommand).map(({ args }) => args[0].input);

describe('npm run infra:bootstrap: CDK’s bootstrap stack, then the service-linked roles a new account lacks', () => {
  it('creates the ECS and Application Auto Scaling service-linked roles after cdk bootstrap, in the file’s account', async () => {
    const { code, runs, info, regions } = await cli(['bootstrap', '--env', 'staging']);

    expect(code).toBe(0);
    expect(runs.map(cdkArgs)).toEqual([['bootstrap', 'aws://210987654321/eu-west-1', '--no-notices']]);
    expect(regions).toEqual(['eu-west-1']);
    expect(roleCalls(CreateServiceLinkedRoleCommand)).toEqual([
      { AWSServiceName: 'ecs.amazonaws.com' },
      { AWSServiceName: 'ecs.application-autoscaling.amazonaws.com' },
    ]);
    expect(info).toEqual([
      'service-linked role AWSServiceRoleForECS (ECS: the cluster, its capacity provider and the services): created',
      "service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService (the services' auto scaling (the stack's scalable targets name it)): created",
    ]);
  });

  it('a role that exists already is success: running it again changes nothing', async () => {
    iam.on(CreateServiceLinkedRoleCommand).rejects(
      new InvalidInputException({
        message: 'Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.',
        $metadata: {},
      }),
    );
    const { code, info } = await cli(['bootstrap', '--env', 'staging']);

    expect(code).toBe(0);
    expect(info.map((line) => line.replace(/ \(.*\)/, ''))).toEqual([
      'service-linked role AWSServiceRoleForECS: already exists',
      'service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService: already exists',
    ]);
  });

  it('any other refusal fails with IAM’s reason: exit 1', async () => {
    iam
      .on(CreateServiceLinkedRoleCommand)
      .rejects(Object.assign(new Error('not authorized to perform: iam:CreateServiceLinkedRole'), { name: 'AccessDenied' }));
    const { code, errors } = await cli(['bootstrap', '--env', 'staging']);

    expect(code).toBe(1);
    expect(errors).toEqual([
      'service-linked role AWSServiceRoleForECS: iam:CreateServiceLinkedRole for ecs.amazonaws.com failed: AccessDenied: not authorized to perform: iam:CreateServiceLinkedRole',
    ]);
  });

  it('nothing is created when cdk bootstrap fails, e.g. on credentials of another account', async () => {
    const { code } = await cli(['bootstrap', '--env', 'staging'], {}, 1);

    expect(code).toBe(1);
    expect(roleCalls(CreateServiceLinkedRoleCommand)).toEqual([]);
  });
});

describe('npm run infra:deploy checks with AWS what CloudFormation would fail on halfway', () => {
  it('production’s certificate exists in its region and is ISSUED, and the service-linked roles exist: then the cdk CLI runs', async () => {
    const { code, runs, info, regions } = await cli(['deploy', '--env', 'production']);

    expect(code).toBe(0);
    expect(regions).toEqual(['eu-west-1']);
    expect(acm.commandCalls(DescribeCertificateCommand).map(({ args }) => args[0].input)).toEqual([{ CertificateArn: certificateArn }]);
    expect(roleCalls(GetRoleCommand)).toEqual([
      { RoleName: 'AWSServiceRoleForECS' },
      { RoleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService' },
    ]);
    expect(info).toEqual([`certificate ${certificateArn}: ISSUED for app.example.com`]);
    expect(runs).toHaveLength(1);
  });

  it('staging, which listens on HTTP, has no certificate to check', async () => {
    const { code } = await cli(['deploy', '--env', 'staging']);

    expect(code).toBe(0);
    expect(acm.commandCalls(DescribeCertificateCommand)).toEqual([]);
  });

  it.each([
    ['PENDING_VALIDATION', 'finish its validation (the DNS record ACM asks for), then run this again'],
    ['EXPIRED', 'request a new one'],
  ])('a %s certificate stops the deploy before CloudFormation with one line naming the field: exit 2', async (status, hint) => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: certificateArn, Status: status as 'EXPIRED' } });
    const { code, runs, errors } = await cli(['deploy', '--env', 'production']);

    expect(code).toBe(2);
    expect(runs).toEqual([]);
    expect(errors).toEqual([
      `deploy/environments/production.json: loadBalancer.listener.certificateArn: certificate ${certificateArn} is ${status}, not ISSUED: ${hint}`,
    ]);
  });

  it('a certificate ACM does not have (a placeholder, another account’s) stops the deploy: exit 2', async () => {
    acm.on(DescribeCertificateCommand).rejects(new ResourceNotFoundException({ message: 'Could not find certificate', $metadata: {} }));
    const { code, runs, errors } = await cli(['deploy', '--env', 'production']);

    expect(code).toBe(2);
    expect(runs).toEqual([]);
    expect(errors).toEqual([
      `deploy/environments/production.json: loadBalancer.listener.certificateArn: ACM has no certificate ${certificateArn} (are the credentials in use for account 123456789012?): request one for your domain in eu-west-1 and put its ARN here`,
    ]);
  });

  it('a certificate that cannot be checked (no permission, no network) stops the deploy too: exit 1', async () => {
    acm.on(DescribeCertificateCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const { code, runs, errors } = await cli(['deploy', '--env', 'production']);

    expect(code).toBe(1);
    expect(runs).toEqual([]);
    expect(errors).toEqual([
      'deploy/environments/production.json: loadBalancer.listener.certificateArn: acm:DescribeCertificate failed: AccessDeniedException: User is not authorized',
    ]);
  });

  it('a missing service-linked role stops the deploy, pointing at infra:bootstrap: exit 2', async () => {
    iam
      .on(GetRoleCommand, { RoleName: 'AWSServiceRoleForECS' })
      .rejects(new NoSuchEntityException({ message: 'no such role', $metadata: {} }));
    const { code, runs, errors } = await cli(['deploy', '--env', 'staging']);

    expect(code).toBe(2);
    expect(runs).toEqual([]);
    expect(errors).toEqual([
      'service-linked role AWSServiceRoleForECS does not exist yet: run npm run infra:bootstrap -- --env staging first (it creates it)',
    ]);
  });
});
