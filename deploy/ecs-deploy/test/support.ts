import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { loadEnvironment } from '@ping-pong/deploy-config';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../src/cli';
import type { Clock } from '../src/clock';

export const CLUSTER = 'ping-pong-production';
export const CLIENT = 'microservice-ping-pong-client-service';
export const NODE = 'microservice-ping-pong-node-service';
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export const arnOf = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;
export const NODE_FAMILY = 'ping-pong-production-node';
export const CLIENT_FAMILY = 'ping-pong-production-client';
export const familyOf = (service: string) => (service === NODE ? NODE_FAMILY : CLIENT_FAMILY);

/** Sleeping only moves the clock: a 15-minute wait takes no real time. */
export function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (milliseconds) => {
      slept.push(milliseconds);
      now += milliseconds;
    },
  };
}

export function deployment(overrides: Partial<Deployment> & { id: string }): Deployment {
  return { status: 'PRIMARY', desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0, rolloutState: 'COMPLETED', ...overrides };
}

let eventSequence = 0;
export const event = (message: string) => ({
  id: `event-${++eventSequence}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, eventSequence)),
  message,
});

export function service(name: string, deployments: Deployment[], events: ReturnType<typeof event>[] = []): Service {
  const primary = deployments.find((candidate) => candidate.status === 'PRIMARY');
  return {
    serviceName: name,
    status: 'ACTIVE',
    taskDefinition: primary?.taskDefinition,
    deploymentController: { type: 'ECS' },
    deployments,
    events: [...events].reverse(), // ECS lists the newest first
  };
}

/** A service before the deploy: one COMPLETED deployment of revision 41. */
export const steady = (name: string, events = [event(`(service ${name}) has reached a steady state.`)]) =>
  service(name, [deployment({ id: `ecs-svc/old-${name}`, taskDefinition: arnOf(familyOf(name), 41) })], events);

/** The deployment UpdateService starts for `name`, running revision 42. */
export const newDeployment = (name: string, overrides: Partial<Deployment> = {}) =>
  deployment({ id: `ecs-svc/new-${name}`, taskDefinition: arnOf(familyOf(name), 42), ...overrides });

export const ecsMock = mockClient(ECSClient);
export const scalingMock = mockClient(ApplicationAutoScalingClient);
export const ecrMock = mockClient(ECRClient);

/** Every image asked for is in the registry. */
export function imagesExist(): void {
  ecrMock.on(DescribeImagesCommand).callsFake(({ repositoryName, imageIds }) => ({
    imageDetails: imageIds.map((imageId: { imageTag: string }) => ({ repositoryName, imageTags: [imageId.imageTag] })),
  }));
}

/**
 * What DescribeTaskDefinition answers for a registered input, as ECS really
 * does: the read-only fields, plus the defaults it fills in for fields the
 * input left out (container cpu 0, essential, port protocol, empty lists, ...).
 */
export function describedByEcs(input: RegisterTaskDefinitionCommandInput, revision: number): TaskDefinition {
  return {
    ...input,
    taskDefinitionArn: arnOf(input.family!, revision),
    revision,
    status: 'ACTIVE',
    compatibilities: ['EC2'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.29' }],
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
    volumes: [],
    placementConstraints: [],
    enableFaultInjection: false,
    containerDefinitions: input.containerDefinitions!.map((container) => ({
      cpu: 0,
      essential: true,
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...container,
      portMappings: container.portMappings?.map((mapping) => ({ protocol: 'tcp', hostPort: 0, ...mapping })),
      healthCheck: container.healthCheck && { interval: 30, timeout: 5, retries: 3, ...container.healthCheck },
      logConfiguration: container.logConfiguration && { secretOptions: [], ...container.logConfiguration },
    })),
  };
}

/**
 * Answers the auto-scaling reads with what deploy/infra registers from the
 * environment file, each service's values changed by `live` where given.
 */
export function scriptScaling(live: Record<string, { min?: number; max?: number; cpu?: number } | 'none'> = {}): void {
  const { cluster, services } = loadEnvironment('production');
  const resourceIdOf = (name: string) => `service/${cluster}/${name}`;
  scalingMock.on(DescribeScalableTargetsCommand).resolves({
    ScalableTargets: Object.entries(services)
      .filter(([name]) => live[name] !== 'none')
      .map(([name, { autoScaling }]) => {
        const changed = (live[name] as { min?: number; max?: number } | undefined) ?? {};
        return {
          ServiceNamespace: 'ecs',
          ScalableDimension: 'ecs:service:DesiredCount',
          ResourceId: resourceIdOf(name),
          MinCapacity: changed.min ?? autoScaling.minCapacity,
          MaxCapacity: changed.max ?? autoScaling.maxCapacity,
          RoleARN:
            'arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
          CreationTime: new Date(0),
        };
      }),
  });
  scalingMock.on(DescribeScalingPoliciesCommand).callsFake(({ ResourceId }: { ResourceId: string }) => {
    const [name, { autoScaling }] = Object.entries(services).find(([candidate]) => resourceIdOf(candidate) === ResourceId)!;
    const changed = (live[name] as { cpu?: number } | undefined) ?? {};
    return {
      ScalingPolicies: [
        {
          PolicyName: `${name}-cpu`,
          PolicyType: 'TargetTrackingScaling',
          ResourceId,
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: changed.cpu ?? autoScaling.targetCpuUtilizationPercent,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          },
        },
      ],
    };
  });
}

/**
 * Scripts DescribeServices: each service answers the states of its list in
 * turn, one per call, and keeps answering the last one.
 */
export function scriptServices(script: Record<string, Service[]>): void {
  const calls = new Map<string, number>();
  ecsMock.on(DescribeServicesCommand).callsFake(({ services = [] }: { services?: string[] }) => ({
    services: services.map((name) => {
      const states = script[name]!;
      const index = calls.get(name) ?? 0;
      calls.set(name, index + 1);
      return states[Math.min(index, states.length - 1)];
    }),
    failures: [],
  }));
}

/** Register answers revision 42; DescribeTaskDefinition answers `described` (or a bare revision 41); UpdateService starts newDeployment. */
export function scriptEcs(described: Record<string, TaskDefinition> = {}): void {
  ecsMock
    .on(RegisterTaskDefinitionCommand)
    .callsFake((input) => ({ taskDefinition: { ...input, taskDefinitionArn: arnOf(input.family, 42), revision: 42 } }));
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => ({
    taskDefinition: described[taskDefinition] ?? {
      taskDefinitionArn: taskDefinition,
      family: taskDefinition.split('/')[1]!.split(':')[0],
      containerDefinitions: [],
    },
  }));
  ecsMock.on(UpdateServiceCommand).callsFake(({ service: name }: { service: string }) => ({
    service: service(name, [
      newDeployment(name, { rolloutState: 'IN_PROGRESS', runningCount: 0 }),
      deployment({ id: `ecs-svc/old-${name}`, status: 'ACTIVE' }),
    ]),
  }));
}

export interface Run {
  code: number;
  info: string[];
  errors: string[];
  clock: ReturnType<typeof fakeClock>;
}

/** `npm run deploy:ecs -- <argv>` against the mocks, with a fake clock and the real deploy/ files. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const info: string[] = [];
  const errors: string[] = [];
  const clock = fakeClock();
  const code = await main(argv, {
    env,
    gitCommit: () => COMMIT,
    createClients: (region) => ({
      ecs: new ECSClient({ region }),
      scaling: new ApplicationAutoScalingClient({ region }),
      ecr: new ECRClient({ region }),
    }),
    clock,
    output: { info: (line) => info.push(line), error: (line) => errors.push(line) },
  });
  return { code, info, errors, clock };
}

const commandName = (call: { args: [object, ...unknown[]] }) => call.args[0].constructor.name.replace(/Command$/, '');

/** The names of the ECS commands sent, in order: `DescribeServices`, `UpdateService`, ... */
export const ecsCommandsSent = () => ecsMock.calls().map(commandName);

/** The names of the Application Auto Scaling commands sent, in order. */
export const scalingCommandsSent = () => scalingMock.calls().map(commandName);
