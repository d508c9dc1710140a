import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { diffTaskDefinitions, READ_ONLY_KEYS, registrationInputOf } from '../src/diff';

const described = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/ping-pong-production-node:41',
  revision: 41,
  status: 'ACTIVE',
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.29' }],
  compatibilities: ['EC2'],
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
  deregisteredAt: new Date('2026-01-02T00:00:00Z'),
  family: 'ping-pong-production-node',
  networkMode: 'bridge',
  enableFaultInjection: false,
  // A field newer than this code: it must survive as it is.
  someFutureField: { keep: 'me' },
  containerDefinitions: [
    {
      name: 'node-ringo',
      image: 'registry/microservice-ping-pong/node:production-aaa',
      environment: [
        { name: 'SERVICE_NAME', value: 'node-ringo' },
        { name: 'NEXT_HOP', value: '' },
      ],
      memoryReservation: 300,
    },
  ],
} as unknown as TaskDefinition;

describe('a described task definition as registration input', () => {
  it('loses exactly the read-only keys and keeps everything else, including empty environment values', () => {
    const input = registrationInputOf(described) as unknown as Record<string, unknown>;

    for (const key of READ_ONLY_KEYS) expect(input).not.toHaveProperty(key);
    // Listed here rather than taken from READ_ONLY_KEYS, so the test does not trust the list it checks.
    const readOnly = [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
      'deregisteredAt',
    ];
    const fields = described as unknown as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => !readOnly.includes(key)));
    // The fixture itself holds every read-only key, so the test above removes something.
    expect(readOnly.filter((key) => !fields[key])).toEqual([]);
    expect(input).toEqual(rest);
    expect(input.containerDefinitions).toEqual([
      expect.objectContaining({
        environment: [
          { name: 'SERVICE_NAME', value: 'node-ringo' },
          { name: 'NEXT_HOP', value: '' },
        ],
      }),
    ]);
  });
});

describe('the diff of what will change', () => {
  const current = registrationInputOf(described);

  it('names the image, the environment and the resources that change, keyed by container and variable', () => {
    const next = structuredClone(current);
    const ringo = next.containerDefinitions![0]!;
    ringo.image = 'registry/microservice-ping-pong/node:production-bbb';
    ringo.environment = [
      { name: 'NEXT_HOP', value: '' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ];
    ringo.memoryReservation = 400;

    expect(diffTaskDefinitions(current, next)).toEqual([
      '+ node-ringo.environment.LOG_LEVEL: "debug"',
      '- node-ringo.environment.SERVICE_NAME: "node-ringo"',
      '~ node-ringo.image: "registry/microservice-ping-pong/node:production-aaa" → "registry/microservice-ping-pong/node:production-bbb"',
      '~ node-ringo.memoryReservation: 300 → 400',
    ]);
  });

  it('an environment value emptied is a change, not a removal', () => {
    const next = structuredClone(current);
    next.containerDefinitions![0]!.environment![0]!.value = '';

    expect(diffTaskDefinitions(current, next)).toEqual(['~ node-ringo.environment.SERVICE_NAME: "node-ringo" → ""']);
  });
});

describe('what ECS fills in on describe', () => {
  const registered = {
    family: 'ping-pong-production-node',
    containerDefinitions: [
      {
        name: 'node-ringo',
        image: 'registry/microservice-ping-pong/node:git-aaaaaaaaaaaa',
        portMappings: [{ containerPort: 3000 }],
        healthCheck: { command: ['CMD', 'true'] },
      },
    ],
  };
  const describedByEcs = {
    ...registered,
    networkMode: 'bridge',
    enableFaultInjection: false,
    volumes: [],
    placementConstraints: [],
    containerDefinitions: [
      {
        ...registered.containerDefinitions[0]!,
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 3000, hostPort: 0, protocol: 'tcp' }],
        healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 },
        mountPoints: [],
        volumesFrom: [],
        logConfiguration: { logDriver: 'awslogs', options: {}, secretOptions: [] },
      },
    ],
  } as RegisterTaskDefinitionCommandInput;

  it('is no change: cpu 0, essential, the tcp protocol, the dynamic host port, health-check timings, empty lists', () => {
    const { logConfiguration, ...withoutLogs } = describedByEcs.containerDefinitions![0]!;
    expect(logConfiguration).toBeDefined();
    expect(
      diffTaskDefinitions({ ...describedByEcs, containerDefinitions: [withoutLogs] }, registered as RegisterTaskDefinitionCommandInput),
    ).toEqual([]);
  });

  it('is still shown where the new definition sets another value', () => {
    const next = structuredClone(registered) as RegisterTaskDefinitionCommandInput;
    const ringo = next.containerDefinitions![0]!;
    ringo.cpu = 256;
    ringo.essential = false;
    ringo.healthCheck!.timeout = 10;
    ringo.portMappings![0]!.hostPort = 8080;

    expect(diffTaskDefinitions(describedByEcs, next)).toEqual([
      '~ node-ringo.cpu: 0 → 256',
      '~ node-ringo.essential: true → false',
      '~ node-ringo.healthCheck.timeout: 5 → 10',
      '- node-ringo.logConfiguration.logDriver: "awslogs"',
      '~ node-ringo.portMappings: [{"containerPort":3000,"hostPort":0,"protocol":"tcp"}] → [{"containerPort":3000,"hostPort":8080,"protocol":"tcp"}]',
    ]);
  });

  it('in awsvpc mode the host port is the container port', () => {
    const awsvpc = { ...structuredClone(registered), networkMode: 'awsvpc' } as RegisterTaskDefinitionCommandInput;
    const described = structuredClone(awsvpc);
    described.containerDefinitions![0]!.portMappings = [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }];

    expect(diffTaskDefinitions(described, awsvpc)).toEqual([]);
  });
});
