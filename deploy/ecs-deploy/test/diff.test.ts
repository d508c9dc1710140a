import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { diffTaskDefinitions, READ_ONLY_KEYS, registrationInputOf } from '../src/diff';

const described = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/microservice-ping-pong-node-td:41',
  revision: 41,
  status: 'ACTIVE',
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.29' }],
  compatibilities: ['EC2'],
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
  deregisteredAt: new Date('2026-01-02T00:00:00Z'),
  family: 'microservice-ping-pong-node-td',
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
    const {
      taskDefinitionArn,
      revision,
      status,
      requiresAttributes,
      compatibilities,
      registeredAt,
      registeredBy,
      deregisteredAt,
      ...rest
    } = described as unknown as Record<string, unknown>;
    expect(
      [taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy, deregisteredAt].every(Boolean),
    ).toBe(true);
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
