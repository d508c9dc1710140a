import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { ConfigError, parseWholeNumber } from '@ping-pong/tooling';
import { EcsAgent } from './ecs-agent';
import { askRunningUpToStop, ForegroundUp, stopAndRemove, upSocket } from './foreground-up';
import { ensureImages } from './images';
import { describeRemoved, down, formatInventory, inventory } from './inventory';
import { LocalLoadBalancer } from './load-balancer';
import { DEFAULT_SECRETS_FILE, planEnvironment } from './plan';
import { describeNotHonoured } from './translate';

const USAGE = `usage: npm run ecs:local -- up|down|ps [--env <name>] [--count <n>] [--build] [--port <n>] [--secrets <file>]

  up     render deploy/task-definitions for the environment, build missing images,
         run the tasks behind a load balancer (nginx with the ALB's listener rules),
         print the table; stays in the foreground, starting and stopping tasks as
         the ECS agent does: Ctrl-C (or down in another terminal) stops every task
         as ECS does and removes everything
  down   stop the environment's running up, if any; remove every container, network
         and local image tag of the environment
  ps     print the table (task, container, image, health, host port) and the load balancer URL

  --env      deploy/environments/<name>.json (default: production)
  --count    tasks per service (default: each service's autoScaling.minCapacity)
  --build    rebuild the images even when they exist
  --port     the load balancer's port on 127.0.0.1 (default: a free one)
  --secrets  the local stand-in for SSM Parameter Store (default: deploy/secrets.local.json)`;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        env: { type: 'string', default: 'production' },
        count: { type: 'string' },
        build: { type: 'boolean', default: false },
        port: { type: 'string' },
        secrets: { type: 'string', default: DEFAULT_SECRETS_FILE },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // An unknown option or a missing value is bad usage (exit 2), not a crash.
    throw new ConfigError([(error as Error).message]);
  }
}

async function up(
  docker: Docker,
  options: { environment: string; count?: number; build: boolean; port?: number; secretsFile: string },
): Promise<number> {
  const plan = planEnvironment({
    environment: options.environment,
    instance: options.environment,
    secretsFile: options.secretsFile,
    desiredCount: options.count,
  });
  for (const item of plan.notHonoured) console.warn(`warning: ${describeNotHonoured(item)}`);
  if ((await inventory(docker, plan.instance)).rows.length > 0) {
    throw new ConfigError([`${plan.instance} is already running locally: npm run ecs:local -- down --env ${plan.instance}`]);
  }
  await ensureImages(docker, plan.images, { instance: plan.instance, rebuild: options.build, log: console.log });
  // The agent's lines also go to a `down` waiting in another terminal, once `up` listens for one.
  const relay: { up?: ForegroundUp } = {};
  const log = (line: string) => {
    console.log(line);
    relay.up?.broadcast(line);
  };
  const loadBalancer = await LocalLoadBalancer.start(docker, plan.instance, plan.environment.loadBalancer, { port: options.port, log });
  const agent = await EcsAgent.start(docker, plan, { loadBalancer, log });
  const foreground = await ForegroundUp.listen(upSocket(loadBalancer.configDir), { log: console.log, stopWhen: loadBalancer.exited });
  relay.up = foreground;
  // A stop asked for while the tasks start wins: the starting tasks are stopped, not reported as failed.
  const started = await Promise.race([
    agent.startServices().then(
      () => 'running' as const,
      (error: Error) => error,
    ),
    foreground.stopRequested.then(() => 'stop requested' as const),
  ]);
  if (started instanceof Error) {
    console.error(`error: ${started.message}`);
    await agent.stopAllTasks('another task failed to start');
    agent.close();
    loadBalancer.close();
    foreground.close();
    console.log(formatInventory(await inventory(docker, plan.instance)));
    console.error(`stopped containers are kept for docker logs; remove them with: npm run ecs:local -- down --env ${plan.instance}`);
    return 1;
  }
  if (started === 'running') {
    console.log(formatInventory(await inventory(docker, plan.instance)));
    console.log(
      `Ctrl-C here, or npm run ecs:local -- down --env ${plan.instance} in another terminal, stops the tasks and removes everything`,
    );
  }
  await foreground.serve((reason) => stopAndRemove(docker, { agent, loadBalancer }, reason, (line) => foreground.say(line)));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(argv);
  const [command, ...extra] = positionals;
  if (values.help || !command || extra.length > 0 || !['up', 'down', 'ps'].includes(command)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const docker = new Docker();
  if (command === 'ps') {
    console.log(formatInventory(await inventory(docker, values.env)));
    return 0;
  }
  if (command === 'down') {
    if (await askRunningUpToStop(docker, values.env, console.log)) return 0;
    const removed = await down(docker, values.env);
    console.log(describeRemoved(values.env, removed));
    return 0;
  }
  return up(docker, {
    environment: values.env,
    count: parseWholeNumber('--count', values.count),
    build: values.build,
    port: parseWholeNumber('--port', values.port, { max: 65535 }),
    secretsFile: path.resolve(values.secrets),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        error.problems.forEach((problem) => console.error(`error: ${problem}`));
        process.exit(2);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
