import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import {
  ForegroundUp,
  inventory,
  stopAndRemove,
  upSocket,
  type EcsAgent,
  type LocalLoadBalancer,
  type RunningTask,
} from '@ping-pong/ecs-local';
import { REPO_ROOT } from '@ping-pong/tooling';
import { EcsLocalStack, NODE_SERVICE } from '../support/ecs-local';
import { loadLoop } from '../support/load';
import { START_ANSWER } from '../support/stack-control';

const MIB = 1024 * 1024;

/** What this test reads of a container definition. */
interface ContainerDefinition {
  name: string;
  user: string;
  memory: number;
  memoryReservation: number;
}

/** Runs `command` in the container as its own user; its exit code and what it printed. */
async function execIn(container: Docker.Container, command: string[]): Promise<{ exitCode: number | null; output: string }> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on('end', resolve));
  return { exitCode: (await exec.inspect()).ExitCode, output: Buffer.concat(chunks).toString() };
}

describe('production task definitions run locally (ecs:local) behind the load balancer built from the listener rules', () => {
  const stack = new EcsLocalStack();
  let agent: EcsAgent;
  let loadBalancer: LocalLoadBalancer;

  const nodeTask = (): RunningTask => agent.tasks.find((task) => task.plan.service === NODE_SERVICE && task.status === 'RUNNING')!;

  beforeAll(async () => {
    ({ agent, loadBalancer } = await stack.start());
  }, 300_000);

  afterAll(async () => {
    await stack.remove();
  }, 60_000);

  it('answers /start through the load balancer with exactly the chain of meows, /ping with pong and / with the client', async () => {
    const start = await fetch(`${loadBalancer.url}/start`);
    expect([start.status, await start.text()]).toEqual([200, START_ANSWER]);
    const ping = await fetch(`${loadBalancer.url}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, 'pong']);
    const page = await fetch(`${loadBalancer.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });

  it('runs every container with the defences its task definition states: user, memory limit, read-only root, no capabilities, no-new-privileges', async () => {
    const definitions = ['node.json', 'client.json'].flatMap(
      (file) =>
        (
          JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/task-definitions', file), 'utf8')) as {
            containerDefinitions: ContainerDefinition[];
          }
        ).containerDefinitions,
    );
    const running = agent.tasks.filter((task) => task.status === 'RUNNING').flatMap((task) => [...task.containers]);
    expect(running.map(([name]) => name).sort()).toEqual(definitions.map((definition) => definition.name).sort());
    for (const [name, container] of running) {
      const definition = definitions.find((candidate) => candidate.name === name)!;
      const { Config, HostConfig } = await container.inspect();
      expect({ name, user: Config.User, HostConfig }).toMatchObject({
        name,
        user: definition.user,
        HostConfig: {
          Memory: definition.memory * MIB,
          MemoryReservation: definition.memoryReservation * MIB,
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
        },
      });
      const write = await execIn(container, ['touch', '/written-by-e2e']);
      expect({ name, ...write }).toEqual({ name, exitCode: 1, output: expect.stringContaining('Read-only file system') });
    }
  });

  it('replaces the node task under load with zero failed requests (new task in service, old one drained, then SIGTERM)', async () => {
    const old = nodeTask();
    const load = loadLoop(`${loadBalancer.url}/start`, START_ANSWER, 4, 20);
    await agent.replaceTasks(NODE_SERVICE);
    await sleep(1000);
    const result = await load.stop();
    console.log(`rolling replacement under load: ${result.served} requests served, ${result.failed} failed`);
    expect(result.failures.slice(0, 5)).toEqual([]);
    // Thousands over a replacement here: well above 500 proves load ran the whole time.
    expect(result.served).toBeGreaterThan(500);
    expect(old.status).toBe('STOPPED');
    // Stopped, not killed: exit code 0 in ps and in the log, never 137.
    const { rows } = await inventory(stack.docker, stack.instance);
    expect(rows.filter((row) => row.task.endsWith(old.plan.taskId)).map((row) => `${row.container} ${row.health}`)).toEqual([
      'node-george exited (0)',
      'node-john exited (0)',
      'node-paul exited (0)',
      'node-ringo exited (0)',
    ]);
    expect(stack.log).toContain(
      `${old.plan.family} ${old.plan.taskId}: stopped; exit codes: node-john 0, node-paul 0, node-george 0, node-ringo 0`,
    );
  }, 240_000);

  it('answers 502 naming node-ringo once ringo stops, then stops the rest of the task because ringo is essential', async () => {
    const task = nodeTask();
    await task.containers.get('node-ringo')!.kill({ signal: 'SIGTERM' });
    let answer: { status: number; hop?: string } = { status: 200 };
    while (answer.status === 200) {
      const response = await fetch(`${loadBalancer.url}/start`);
      answer = { status: response.status, ...((await response.json()) as { hop?: string }) };
    }
    expect(answer).toMatchObject({ status: 502, hop: 'node-ringo' });

    while (task.status !== 'STOPPED') await sleep(200);
    expect(task.stoppedReason).toBe('essential container node-ringo exited (code 0)');
    expect(stack.log).toContain(
      `${task.plan.family} ${task.plan.taskId}: stopped; exit codes: node-john 0, node-paul 0, node-george 0, node-ringo 0`,
    );
    const john = await task.containers.get('node-john')!.inspect();
    expect(john.State.Running).toBe(false);
    expect((await fetch(`${loadBalancer.url}/start`)).status).toBe(503);
  }, 60_000);

  it('`npm run ecs:local -- down` from another terminal makes the foreground up stop every task gracefully and finish cleanly', async () => {
    const foreground = await ForegroundUp.listen(upSocket(loadBalancer.configDir), {
      log: (line) => stack.log.push(line),
      signals: new EventEmitter(),
      stopWhen: loadBalancer.exited,
    });
    stack.relay = (line) => foreground.broadcast(line);
    const client = agent.tasks.find((task) => task.status === 'RUNNING')!;

    const [downRun, reason] = await Promise.all([
      promisify(execFile)('npm', ['run', '--silent', 'ecs:local', '--', 'down', '--env', stack.instance], { cwd: REPO_ROOT }),
      foreground.serve((why) => stopAndRemove(stack.docker, { agent, loadBalancer }, why, (line) => foreground.say(line))),
    ]);

    expect(reason).toBe('`down` from another terminal');
    expect(downRun.stdout).toContain(`up: ${client.plan.family} ${client.plan.taskId}: stopped; exit codes: client 0`);
    expect(downRun.stdout).toMatch(/^up: removed \d+ containers, \d+ networks, 2 image tags of e2e-/m);
    expect((await inventory(stack.docker, stack.instance)).rows).toEqual([]);
  }, 60_000);
});
