import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEnvironment } from '@ping-pong/deploy-config';
import { createAwsClients } from '../src/aws';
import { main } from '../src/cli';
import { systemClock } from '../src/clock';

/*
 * Retries are the SDK's own (standard mode), which aws-sdk-client-mock would
 * bypass: these tests send real requests to a stand-in for the ECS, ECR and
 * Application Auto Scaling JSON APIs on an ephemeral port, reached through
 * AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_ECR and
 * AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING as a user would.
 */
type Answer = { status: number; body: unknown };

let server: Server;
let requests: string[];
/** A scripted answer, or undefined for the normal one. */
let answerFor: (action: string, attempt: number) => Answer | undefined;
const savedEnv = { ...process.env };

const throttled: Answer = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
const steadyService = (name: string) => ({
  serviceName: name,
  status: 'ACTIVE',
  taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${name.replace('-service', '-td')}:41`,
  deployments: [{ id: `ecs-svc/${name}`, status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: 2, runningCount: 2 }],
  events: [],
});

const { cluster, services } = loadEnvironment('production');

/** Application Auto Scaling's reads answer what the stack registers from the file, so the deploy has nothing to warn about. */
function answerScaling(action: string, body: Record<string, unknown>): Answer {
  const scalingOf = (resourceId: string) =>
    Object.entries(services).find(([name]) => `service/${cluster}/${name}` === resourceId)![1].autoScaling;
  if (action === 'DescribeScalableTargets') {
    const targets = (body.ResourceIds as string[]).map((ResourceId) => ({
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId,
      MinCapacity: scalingOf(ResourceId).minCapacity,
      MaxCapacity: scalingOf(ResourceId).maxCapacity,
    }));
    return { status: 200, body: { ScalableTargets: targets } };
  }
  const configuration = {
    TargetValue: scalingOf(body.ResourceId as string).targetCpuUtilizationPercent,
    PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
  };
  return {
    status: 200,
    body: { ScalingPolicies: [{ PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: configuration }] },
  };
}

function answerNormally(action: string, body: Record<string, unknown>): Answer {
  if (action === 'DescribeScalableTargets' || action === 'DescribeScalingPolicies') return answerScaling(action, body);
  if (action === 'DescribeImages') return { status: 200, body: { imageDetails: [{ repositoryName: body.repositoryName }] } };
  if (action === 'DescribeServices')
    return { status: 200, body: { services: (body.services as string[]).map(steadyService), failures: [] } };
  const arn = body.taskDefinition as string;
  return {
    status: 200,
    body: { taskDefinition: { taskDefinitionArn: arn, family: arn.split('/')[1]!.split(':')[0], containerDefinitions: [] } },
  };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target']).split('.').pop()!;
      requests.push(action);
      const attempt = requests.filter((name) => name === action).length;
      const answer = answerFor(action, attempt) ?? answerNormally(action, JSON.parse(text));
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests = [];
  process.env = {
    PATH: savedEnv.PATH,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_ECS: `http://localhost:${(server.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: `http://localhost:${(server.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL_ECR: `http://localhost:${(server.address() as AddressInfo).port}`,
  };
  // The SDK's backoff is random × base; zero keeps the retries instant here.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  process.env = savedEnv;
  jest.restoreAllMocks();
});

async function dryRun() {
  const errors: string[] = [];
  const code = await main(['--env', 'production', '--tag', 'git-0123456789ab', '--dry-run'], {
    env: process.env,
    gitCommit: () => 'unused',
    createClients: createAwsClients,
    clock: systemClock,
    output: { info: () => undefined, error: (line) => errors.push(line) },
  });
  return { code, errors };
}

describe('throttling', () => {
  it('a ThrottlingException is retried by the SDK and the deploy goes on', async () => {
    answerFor = (action, attempt) => (action === 'DescribeServices' && attempt === 1 ? throttled : undefined);

    const run = await dryRun();

    expect(run).toEqual({ code: 0, errors: [] });
    expect(requests).toEqual([
      'DescribeImages',
      'DescribeImages',
      'DescribeServices',
      'DescribeServices',
      'DescribeScalableTargets',
      'DescribeScalingPolicies',
      'DescribeScalingPolicies',
      'DescribeTaskDefinition',
      'DescribeTaskDefinition',
    ]);
  });

  it('throttling that never ends fails after the SDK has given up, naming the call: exit 1', async () => {
    answerFor = (action) => (action === 'DescribeServices' ? throttled : undefined);

    const run = await dryRun();

    expect(run.code).toBe(1);
    expect(run.errors).toEqual(['deploy of production stopped: ecs:DescribeServices failed: ThrottlingException: Rate exceeded']);
    expect(requests.filter((action) => action === 'DescribeServices')).toHaveLength(8);
  });
});
