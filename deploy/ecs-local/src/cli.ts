import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { ConfigError, parseWholeNumber } from '@ping-pong/tooling';
import { agentSocket, askRunningUpToStop, ForegroundAgent, stopAndRemove } from './agent';
import { ensureImages } from './images';
import { describeRemoved, down, formatInventory, inventory } from './inventory';
import { DEFAULT_SECRETS_FILE, planEnvironment } from './plan';
import { LocalCluster } from './runner';
import { describeNotHonoured } from './translate';

const USAGE = `usage: npm run ecs:local -- up|down|ps [--env <name>] [--count <n>] [--build] [--port <n>] [--secrets <file>]

  up     render deploy/task-definitions for the environment, build missing images,
         run the tasks and the gateway (the ALB's listener rules), print the table;
         stays in the foreground as the ECS agent and the ALB: Ctrl-C (or down in
         another terminal) stops every task as ECS does and removes everything
  down   stop the environment's running up, if any; remove every container, network
         and local image tag of the environment
  ps     print the table (task, container, image, health, host port) and the gateway URL

  --env      deploy/environments/<name>.json (default: production)
  --count    tasks per service (default: each service's autoScaling.minCapacity)
  --build    rebuild the images even when they exist
  --port     the gateway's port on 127.0.0.1 (default: a free one)
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
  // The cluster's lines also go to a `down` waiting in another terminal, once the agent exists.
  const relay: { agent?: ForegroundAgent } = {};
  const log = (line: string) => {
    console.log(line);
    relay.agent?.broadcast(line);
  };
  const cluster = await LocalCluster.create(docker, plan, { gatewayPort: options.port, log });
  const agent = await ForegroundAgent.listen(agentSocket(cluster.gateway.configDir), { log: console.log, stopWhen: cluster.gatewayExited });
  relay.agent = agent;
  // A stop asked for while the tasks start wins: the starting tasks are stopped, not reported as failed.
  const started = await Promise.race([
    cluster.startServices().then(
      () => 'running' as const,
      (error: Error) => error,
    ),
    agent.stopRequested.then(() => 'stop requested' as const),
  ]);
  if (started instanceof Error) {
    console.error(`error: ${started.message}`);
    await cluster.stopAllTasks('another task failed to start');
    cluster.close();
    agent.close();
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
  await agent.serve((reason) => stopAndRemove(docker, cluster, reason, (line) => agent.say(line)));
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
