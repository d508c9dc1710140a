import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { GenericContainer } from 'testcontainers';
import { BOOTSTRAP_IMAGE, bootstrapRevision } from '@ping-pong/deploy-config';
import { down, EcsAgent, EXAMPLE_SECRETS_FILE, LocalLoadBalancer, planEnvironment, type RunningTask } from '@ping-pong/ecs-local';
import { IMAGE_PREFIX, imageTag } from '../support/images';

/**
 * The first revision the stack registers for each family (deploy-config's
 * bootstrapRevision), run by ecs:local's agent behind its ALB stand-in, which
 * puts a target in service only once the target group's health check passes.
 * Its image, busybox from ECR Public, cannot be pulled here: the containers
 * run the revision's exact command, user and defences on a local stand-in
 * (e2e/support/bootstrap-stand-in: Debian's sh, and a small server with
 * busybox httpd's options), so this proves the command, the tmpfs under a
 * read-only root, the ports and the health-check paths, not busybox itself.
 */
describe(`the bootstrap revision (${BOOTSTRAP_IMAGE}) behind the load balancer, on a local stand-in for busybox`, () => {
  const docker = new Docker();
  const instance = `e2e-bootstrap-${randomBytes(3).toString('hex')}`;
  const standIn = `${IMAGE_PREFIX}/bootstrap-stand-in:${imageTag()}`;
  const log: string[] = [];
  let loadBalancer: LocalLoadBalancer;
  let agent: EcsAgent;

  beforeAll(async () => {
    await GenericContainer.fromDockerfile(path.join(__dirname, '../support/bootstrap-stand-in')).build(standIn, { deleteOnExit: false });
    const plan = planEnvironment({ environment: 'production', instance, secretsFile: EXAMPLE_SECRETS_FILE, desiredCount: 1 });
    const services = plan.services.map((service) => {
      const revision = bootstrapRevision(service.definition, plan.environment);
      for (const container of revision.containerDefinitions!) {
        expect(container.image).toBe(BOOTSTRAP_IMAGE);
        container.image = standIn;
      }
      return { ...service, definition: { ...service.definition, input: revision } };
    });
    loadBalancer = await LocalLoadBalancer.start(docker, instance, plan.environment.loadBalancer, { log: (line) => log.push(line) });
    agent = await EcsAgent.start(docker, { ...plan, services, images: [standIn] }, { loadBalancer, log: (line) => log.push(line) });
    // Resolves once every task's targets passed their target group's health check.
    await agent.startServices();
  }, 240_000);

  afterAll(async () => {
    agent?.close();
    loadBalancer?.close();
    await down(docker, instance);
  }, 60_000);

  it('every task passes its target groups’ health checks, and the load balancer’s rules reach each: / and /ping answer 200', async () => {
    expect(agent.tasks.map((task) => [task.plan.service, task.status]).sort()).toEqual([
      ['microservice-ping-pong-client-service', 'RUNNING'],
      ['microservice-ping-pong-node-service', 'RUNNING'],
    ]);
    for (const route of ['/', '/ping']) {
      const answer = await fetch(`${loadBalancer.url}${route}`);
      expect([route, answer.status, await answer.text()]).toEqual([route, 200, 'ok\n']);
    }
    // Nothing else is served while it faces the internet.
    expect((await fetch(`${loadBalancer.url}/start`)).status).toBe(404);
  });

  it('runs as nobody with a read-only root, no capabilities and no-new-privileges: only its tmpfs is writable', async () => {
    const task: RunningTask = agent.tasks.find((candidate) => candidate.plan.service === 'microservice-ping-pong-node-service')!;
    const john = task.containers.get('node-john')!;
    const { Config, HostConfig } = await john.inspect();
    expect({
      user: Config.User,
      readOnly: HostConfig.ReadonlyRootfs,
      capDrop: HostConfig.CapDrop,
      securityOpt: HostConfig.SecurityOpt,
    }).toEqual({
      user: '65534:65534',
      readOnly: true,
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges'],
    });
    const writes = async (file: string) => {
      const exec = await john.exec({ Cmd: ['sh', '-c', `echo x > ${file}`], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({});
      stream.resume();
      await new Promise((resolve) => stream.on('end', resolve));
      return (await exec.inspect()).ExitCode === 0;
    };
    expect({ root: await writes('/written'), tmpfs: await writes('/tmp/written') }).toEqual({ root: false, tmpfs: true });
  });

  it('stops on SIGTERM, its init passing the signal on, rather than being killed at the stop timeout', async () => {
    const task = agent.tasks.find((candidate) => candidate.plan.service === 'microservice-ping-pong-client-service')!;
    await agent.stopTask(task, 'replaced by the first deploy');
    const stopped = log.find((line) => line.startsWith(`${task.plan.family} ${task.plan.taskId}: stopped`));
    expect(stopped).toBeDefined();
    // 137 would be SIGKILL after the stop timeout: the signal never reached httpd.
    expect(stopped).not.toMatch(/\b137\b/);
  });
});
