import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import path from 'node:path';
import { DEPLOY_DIR } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { planEnvironment } from '../src/plan';
import type { TaskContext } from '../src/translate';
import { translateTask } from '../src/translate';

const context: TaskContext = {
  instance: 'test',
  service: 'node-service',
  taskId: 'abc123',
  secrets: { '/app/test/TOKEN': 's3cret', '/app/test/EMPTY': '' },
  secretsSource: 'secrets.local.json',
  source: 'node.json',
};

function task(...containers: ContainerDefinition[]): RegisterTaskDefinitionCommandInput {
  return { family: 'app-td', networkMode: 'bridge', containerDefinitions: containers };
}

const web: ContainerDefinition = { name: 'web', image: 'local/app:1', memoryReservation: 300 };

function translateOne(container: Partial<ContainerDefinition>, extra: Partial<RegisterTaskDefinitionCommandInput> = {}) {
  const { plan, notHonoured } = translateTask({ ...task({ ...web, ...container }), ...extra }, context);
  return { container: plan.containers[0]!, options: plan.containers[0]!.createOptions, plan, notHonoured };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('translateTask: each container field on the local engine', () => {
  it('names containers and the task network after the instance and task id', () => {
    const { options, plan } = translateOne({});
    expect(options.name).toBe('ecs-local-test-abc123-web');
    expect(plan.network.Name).toBe('ecs-local-test-abc123');
    expect(options.HostConfig?.NetworkMode).toBe('ecs-local-test-abc123');
    expect(options.Labels).toMatchObject({
      'ping-pong.ecs-local.instance': 'test',
      'ping-pong.ecs-local.task': 'abc123',
      'ping-pong.ecs-local.container': 'web',
    });
  });

  it('passes environment values through, empty ones included, then the secrets', () => {
    const { options } = translateOne({
      environment: [
        { name: 'A', value: '1' },
        { name: 'NEXT_HOP', value: '' },
      ],
      secrets: [
        { name: 'TOKEN', valueFrom: '/app/test/TOKEN' },
        { name: 'OPTIONAL', valueFrom: '/app/test/EMPTY' },
      ],
    });
    expect(options.Env).toEqual(['A=1', 'NEXT_HOP=', 'TOKEN=s3cret', 'OPTIONAL=']);
  });

  it('refuses a secret the local secrets file does not hold, naming it', () => {
    expect(problemsOf(() => translateOne({ secrets: [{ name: 'API_KEY', valueFrom: '/app/test/API_KEY' }] }))).toEqual([
      'node.json: containerDefinitions[0].secrets[0].valueFrom: secret API_KEY: /app/test/API_KEY is not in secrets.local.json',
    ]);
  });

  it('publishes host port 0 as a dynamic port and a fixed one as itself, on loopback only', () => {
    const { options, container } = translateOne({
      portMappings: [
        { containerPort: 3000, hostPort: 0 },
        { containerPort: 9000, hostPort: 19000, protocol: 'udp' },
      ],
    });
    expect(options.ExposedPorts).toEqual({ '3000/tcp': {}, '9000/udp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '9000/udp': [{ HostIp: '127.0.0.1', HostPort: '19000' }],
    });
    expect(container.portMappings).toEqual([
      { containerPort: 3000, protocol: 'tcp', hostPort: 0 },
      { containerPort: 9000, protocol: 'udp', hostPort: 19000 },
    ]);
  });

  it('turns links into link aliases on the task network, visible only to the linking container, and starts the linked one first', () => {
    const { plan } = translateTask(
      task({ ...web, links: ['db', 'cache:redis'] }, { ...web, name: 'db' }, { ...web, name: 'cache' }),
      context,
    );
    const linking = plan.containers.find((container) => container.name === 'web')!;
    expect(linking.createOptions.NetworkingConfig?.EndpointsConfig?.['ecs-local-test-abc123']?.Links).toEqual([
      'ecs-local-test-abc123-db:db',
      'ecs-local-test-abc123-cache:redis',
    ]);
    expect(linking.dependsOn).toEqual([
      { containerName: 'db', condition: 'START' },
      { containerName: 'cache', condition: 'START' },
    ]);
    expect(plan.containers.map((container) => container.name)).toEqual(['db', 'cache', 'web']);
  });

  it('translates the health check from seconds to nanoseconds, with ECS defaults for what is left out', () => {
    const command = ['CMD', 'node', '-e', 'ping()'];
    expect(translateOne({ healthCheck: { command, interval: 10, timeout: 5, retries: 3, startPeriod: 10 } }).options.Healthcheck).toEqual({
      Test: command,
      Interval: 10e9,
      Timeout: 5e9,
      Retries: 3,
      StartPeriod: 10e9,
    });
    expect(translateOne({ healthCheck: { command } }).options.Healthcheck).toEqual({
      Test: command,
      Interval: 30e9,
      Timeout: 5e9,
      Retries: 3,
      StartPeriod: 0,
    });
  });

  it('orders containers by dependsOn and keeps each condition', () => {
    const { plan } = translateTask(
      task(
        { ...web, name: 'john', dependsOn: [{ containerName: 'paul', condition: 'HEALTHY' }] },
        {
          ...web,
          name: 'paul',
          dependsOn: [
            { containerName: 'migrate', condition: 'SUCCESS' },
            { containerName: 'init', condition: 'COMPLETE' },
          ],
        },
        { ...web, name: 'migrate', essential: false },
        { ...web, name: 'init', essential: false, dependsOn: [{ containerName: 'migrate', condition: 'START' }] },
      ),
      context,
    );
    expect(plan.containers.map((container) => container.name)).toEqual(['migrate', 'init', 'paul', 'john']);
    expect(plan.containers.find((container) => container.name === 'paul')!.dependsOn).toEqual([
      { containerName: 'migrate', condition: 'SUCCESS' },
      { containerName: 'init', condition: 'COMPLETE' },
    ]);
  });

  it('refuses a dependsOn cycle, naming the containers in it', () => {
    const problems = problemsOf(() =>
      translateTask(
        task({ ...web, name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] }, { ...web, name: 'b', links: ['a'] }),
        context,
      ),
    );
    expect(problems).toEqual(['node.json: containerDefinitions: dependsOn and links form a cycle: a → b → a']);
  });

  it('marks containers essential unless they say otherwise', () => {
    const { plan } = translateTask(task(web, { ...web, name: 'sidecar', essential: false }), context);
    expect(
      plan.containers.map((container) => [
        container.name,
        container.essential,
        container.createOptions.Labels?.['ping-pong.ecs-local.essential'],
      ]),
    ).toEqual([
      ['web', true, 'true'],
      ['sidecar', false, 'false'],
    ]);
  });

  it('applies memory as a hard limit, memoryReservation as a soft one and cpu as CPU shares', () => {
    const { options } = translateOne({ memory: 512, memoryReservation: 300, cpu: 256 });
    expect(options.HostConfig).toMatchObject({ Memory: 512 * 1024 * 1024, MemoryReservation: 300 * 1024 * 1024, CpuShares: 256 });
  });

  it('runs as the given user with a read-only root filesystem and the tmpfs mounts linuxParameters declares', () => {
    const { options } = translateOne({
      user: '1000:1000',
      readonlyRootFilesystem: true,
      linuxParameters: { tmpfs: [{ containerPath: '/tmp', size: 64, mountOptions: ['noexec'] }], initProcessEnabled: true },
    });
    expect(options.User).toBe('1000:1000');
    expect(options.HostConfig).toMatchObject({ ReadonlyRootfs: true, Tmpfs: { '/tmp': 'size=64m,noexec' }, Init: true });
  });

  it('drops and adds the capabilities linuxParameters names', () => {
    const { options } = translateOne({ linuxParameters: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } });
    expect(options.HostConfig).toMatchObject({ CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'] });
  });

  it('passes dockerSecurityOptions as the engine spells them, no-new-privileges as is', () => {
    const { options } = translateOne({ dockerSecurityOptions: ['no-new-privileges', 'apparmor:docker-default', 'label:type:container_t'] });
    expect(options.HostConfig?.SecurityOpt).toEqual(['no-new-privileges', 'apparmor=docker-default', 'label=type:container_t']);
  });

  it('refuses a Windows credential spec among the security options', () => {
    expect(problemsOf(() => translateOne({ dockerSecurityOptions: ['credentialspec:file://gmsa.json'] }))).toEqual([
      'node.json: containerDefinitions[0].dockerSecurityOptions[0]: credentialspec (Windows gMSA) is not supported by ecs:local',
    ]);
  });

  it('runs a container privileged only when the definition says so', () => {
    expect(translateOne({ privileged: false }).options.HostConfig?.Privileged).toBe(false);
    expect(translateOne({}).options.HostConfig?.Privileged).toBeUndefined();
  });

  it('gives the stop timeout to the engine and the stop call, 30 s when unset as on the ECS agent', () => {
    expect(translateOne({ stopTimeout: 15 })).toMatchObject({ options: { StopTimeout: 15 }, container: { stopTimeoutSeconds: 15 } });
    expect(translateOne({})).toMatchObject({ options: { StopTimeout: 30 }, container: { stopTimeoutSeconds: 30 } });
  });

  it('overrides the image entrypoint, command and working directory', () => {
    const { options } = translateOne({ entryPoint: ['/bin/sh', '-c'], command: ['node apps/john/dist/main.js'], workingDirectory: '/app' });
    expect(options).toMatchObject({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['node apps/john/dist/main.js'], WorkingDir: '/app' });
  });

  it('leaves the image defaults alone when the definition sets no command, entrypoint, user or working directory', () => {
    const { options } = translateOne({});
    expect([options.Cmd, options.Entrypoint, options.User, options.WorkingDir, options.Healthcheck]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('lists each field it cannot honour once, with every container that uses it', () => {
    const logs = { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/app' } };
    const { notHonoured } = translateTask(
      {
        ...task({ ...web, logConfiguration: logs }, { ...web, name: 'other', logConfiguration: logs }),
        taskRoleArn: 'arn:role',
        placementConstraints: [],
      },
      context,
    );
    expect(notHonoured.map((item) => [item.field, item.where])).toEqual([
      ['taskRoleArn', ['app-td']],
      ['placementConstraints', ['app-td']],
      ['logConfiguration', ['app-td/web', 'app-td/other']],
    ]);
  });

  it('refuses a field it does not know, naming it with its path', () => {
    expect(problemsOf(() => translateOne({ mountPoints: [], volumesFrom: [] }))).toEqual([
      'node.json: containerDefinitions[0].mountPoints: not supported by ecs:local',
      'node.json: containerDefinitions[0].volumesFrom: not supported by ecs:local',
    ]);
    expect(problemsOf(() => translateOne({ linuxParameters: { maxSwap: 0 } }))).toEqual([
      'node.json: containerDefinitions[0].linuxParameters.maxSwap: not supported by ecs:local',
    ]);
    expect(problemsOf(() => translateOne({}, { volumes: [] }))).toEqual(['node.json: volumes: not supported by ecs:local']);
  });

  it('refuses network modes other than bridge', () => {
    expect(problemsOf(() => translateOne({}, { networkMode: 'awsvpc' }))).toEqual([
      'node.json: networkMode: awsvpc is not supported by ecs:local (bridge only)',
    ]);
  });
});

describe('planEnvironment: the real task definitions', () => {
  it('renders production to local images and translates every task, warning about awslogs and the IAM roles', () => {
    const plan = planEnvironment({
      environment: 'production',
      instance: 'production',
      secretsFile: path.join(DEPLOY_DIR, 'secrets.local.example.json'),
    });
    expect(plan.images.sort()).toEqual([
      'ecs-local.ping-pong/microservice-ping-pong/client:production-local',
      'ecs-local.ping-pong/microservice-ping-pong/node:production-local',
    ]);
    expect(plan.notHonoured.map((item) => item.field)).toEqual(
      expect.arrayContaining(['taskRoleArn', 'executionRoleArn', 'logConfiguration']),
    );
  });

  it('names the missing secret when the secrets file lacks it', () => {
    const problems = problemsOf(() =>
      planEnvironment({ environment: 'production', instance: 'production', secretsFile: path.join(DEPLOY_DIR, 'no-such-secrets.json') }),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /secret CORS_ORIGINS: \/microservice-ping-pong\/production\/CORS_ORIGINS is not in deploy\/no-such-secrets\.json/,
      ),
    );
  });
});
