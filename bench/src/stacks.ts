import path from 'node:path';
import { CHAIN, expectedStartAnswer, GATEWAY_PORT, nextHopUrl, ROUTES, SERVICE_PORT } from '@ping-pong/contract';
import { answersOk, freePort, waitUntilReady } from '@ping-pong/test-support';
import { REPO_ROOT } from '@ping-pong/tooling';
import type { Cleanup } from './cleanup';
import { docker } from './docker';
import { RELAY } from './local';

const PRODUCTION_COMPOSE = path.join(REPO_ROOT, 'docker-compose.prod.yml');
const REFERENCE_GATEWAY = path.resolve(__dirname, '..', 'reference', 'nginx.conf.template');

/** A compose project the bench started, reached through its gateway on a loopback port. */
export interface Stack {
  url: string;
  /** Runs a command in the gateway's container (its network namespace). */
  execInGateway(command: readonly string[]): Promise<string>;
  /**
   * The first member's own base URL on its container address, past the
   * gateway; undefined where the host cannot reach container addresses
   * (Docker Desktop).
   */
  firstMemberUrl(): Promise<string | undefined>;
}

async function startStack(
  cleanup: Cleanup,
  what: string,
  project: string,
  files: { compose: string; input?: string; env: Record<string, string> },
  port: number,
  upArgs: readonly string[],
): Promise<Stack> {
  const compose = ['compose', '--project-name', project, '--file', files.compose];
  const options = { env: files.env, ...(files.input === undefined ? {} : { input: files.input }) };
  cleanup.add(`removing ${what} (${project})`, () => docker([...compose, 'down', '--volumes', '--timeout', '5'], options));
  console.log(`Starting ${what} (compose project ${project})...`);
  await docker([...compose, 'up', '--detach', '--wait', ...upArgs], options);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}${ROUTES.ping}`);
  const containerOf = async (service: string) => (await docker([...compose, 'ps', '--quiet', service], options)).trim();
  const gateway = await containerOf('gateway');
  return {
    url,
    execInGateway: (command) => docker(['exec', gateway, ...command]),
    firstMemberUrl: async () => {
      const inspect = [
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
        await containerOf(CHAIN[0].service),
      ];
      const address = (await docker(inspect)).trim().split(' ')[0];
      const base = `http://${address}:${SERVICE_PORT}`;
      return address && (await answersOk(`${base}${ROUTES.ping}`)) ? base : undefined;
    },
  };
}

/** docker-compose.prod.yml as it is, built from this checkout, its gateway on a free port. */
export async function startProductionStack(cleanup: Cleanup): Promise<Stack> {
  const tag = `bench-${process.pid}`;
  const prefix = 'ping-pong-bench';
  const port = await freePort();
  cleanup.add('removing the images it built', async () => {
    const built = (await docker(['image', 'ls', '--quiet', '--filter', `reference=${prefix}/*:${tag}`])).split('\n').filter(Boolean);
    if (built.length > 0) await docker(['image', 'rm', '--force', ...new Set(built)]);
  });
  return startStack(
    cleanup,
    'docker-compose.prod.yml',
    `ping-pong-bench-${process.pid}`,
    { compose: PRODUCTION_COMPOSE, env: { IMAGE_TAG: tag, IMAGE_PREFIX: prefix, GATEWAY_PORT: String(port) } },
    port,
    ['--build'],
  );
}

/** The relay's containers: a node:24-trixie-slim per member with the relay mounted, health-checked as the node image is. */
function relayService(member: (typeof CHAIN)[number]) {
  return {
    image: 'node:24-trixie-slim',
    command: ['node', '/relay/relay.mts'],
    environment: { SERVICE_NAME: member.service, PORT: String(SERVICE_PORT), NEXT_HOP: nextHopUrl(member.service), HOP_PATH: ROUTES.hop },
    volumes: [`${RELAY}:/relay/relay.mts:ro`],
    healthcheck: {
      test: [
        'CMD',
        'node',
        '-e',
        `fetch('http://localhost:${SERVICE_PORT}${ROUTES.ping}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      interval: '5s',
      timeout: '3s',
    },
  };
}

/** The compose file of the reference stack, generated from the contract: the relay ×4 behind a minimal nginx. */
function referenceCompose(port: number): object {
  const first = CHAIN[0];
  return {
    services: {
      ...Object.fromEntries(CHAIN.map((member) => [member.service, relayService(member)])),
      gateway: {
        image: 'nginx:stable-trixie',
        command: ['nginx', '-c', '/tmp/nginx.conf', '-g', 'daemon off;'],
        environment: { FIRST_MEMBER: `${first.service}:${SERVICE_PORT}`, NGINX_ENVSUBST_OUTPUT_DIR: '/tmp' },
        volumes: [`${REFERENCE_GATEWAY}:/etc/nginx/templates/nginx.conf.template:ro`],
        ports: [`127.0.0.1:${port}:${GATEWAY_PORT}`],
        healthcheck: {
          test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', `http://localhost:${GATEWAY_PORT}${ROUTES.ping}`],
          interval: '5s',
          timeout: '3s',
        },
        depends_on: { [first.service]: { condition: 'service_healthy' } },
      },
    },
  };
}

export async function startReferenceStack(cleanup: Cleanup): Promise<Stack> {
  const port = await freePort();
  return startStack(
    cleanup,
    'the reference stack',
    `ping-pong-bench-${process.pid}-reference`,
    { compose: '-', input: JSON.stringify(referenceCompose(port)), env: {} },
    port,
    [],
  );
}

/** What /start through either stack's gateway answers: members on the container port. */
export const CONTAINER_START_ANSWER = JSON.stringify(expectedStartAnswer());
