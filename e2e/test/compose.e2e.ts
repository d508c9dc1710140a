import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expectedStartAnswer,
  GATEWAY_PORT,
  meowOf,
  OK_STATUS,
  PING_ANSWERS,
  ROUTES,
  SERVICE_NAMES,
  SERVICE_PORT,
} from '@ping-pong/contract';
import { pollUntil } from '@ping-pong/test-support';
import { composeProject, type ComposeProject } from '../support/compose';
import { REPO_ROOT } from '@ping-pong/tooling';

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/** How many /start requests each node-john replica served, read from its own /metrics. */
async function startsServedPerJohn(project: ComposeProject, replicas: number): Promise<number[]> {
  const counts: number[] = [];
  for (let index = 1; index <= replicas; index++) {
    const metrics = await project.run(
      'exec',
      '-T',
      '--index',
      String(index),
      'node-john',
      'node',
      '-e',
      `fetch('http://localhost:${SERVICE_PORT}${ROUTES.metrics}').then((r) => r.text()).then((t) => process.stdout.write(t))`,
    );
    const line = metrics
      .split('\n')
      .find((text) => text.startsWith('http_request_duration_seconds_count') && text.includes(`route="${ROUTES.start}"`));
    counts.push(Number(line?.split(' ').pop() ?? 0));
  }
  return counts;
}

/** The watched source the dev-loop test edits: the contract, which every service and the client import. */
const MEOW_SOURCE = join(REPO_ROOT, 'packages', 'contract', 'src', 'index.ts');
const MEOW_RETURN = 'return `meow from ${service}:${port}`;';
/** How long `tsx watch` may take to restart all four services on a slow, shared machine. */
const RELOAD_TIMEOUT_MS = 90_000;

/** One source file changed for a test, put back by `restore()` (any number of times, from the test and from afterAll). */
const watchedEdit = {
  original: undefined as { file: string; text: string } | undefined,
  apply(file: string, change: (text: string) => string): void {
    const text = readFileSync(file, 'utf8');
    const changed = change(text);
    this.original = { file, text };
    writeFileSync(file, changed);
  },
  restore(): void {
    if (!this.original) return;
    writeFileSync(this.original.file, this.original.text);
    this.original = undefined;
  },
};

interface DevLoopAnswers {
  start: string;
  meows: string;
}

/**
 * What the dev loop answers now: `<status> <body>` of /start through the
 * gateway, and each member's own /meow, asked from inside node-john's
 * container (the gateway does not expose it). A member that is restarting
 * shows as the error it caused.
 */
async function devLoopAnswers(project: ComposeProject): Promise<DevLoopAnswers> {
  const start = await get(`${project.gatewayUrl}${ROUTES.start}`).then(
    ({ status, body }) => `${status} ${body}`,
    (error: Error) => `unreachable: ${error.message}`,
  );
  const urls = SERVICE_NAMES.map((service) => `http://${service}:${SERVICE_PORT}${ROUTES.meow}`);
  const script = `Promise.all(${JSON.stringify(urls)}.map((url) => fetch(url).then((r) => r.json(), (e) => 'unreachable: ' + e.message))).then((m) => process.stdout.write(JSON.stringify(m)))`;
  const meows = await project.run('exec', '-T', 'node-john', 'node', '-e', script).catch((error: Error) => `exec failed: ${error.message}`);
  return { start, meows };
}

/** devLoopAnswers() when each member answers `meowFor(service)` as its meow. */
function answersWith(meowFor: (service: string) => string): DevLoopAnswers {
  return {
    start: `${OK_STATUS} ${JSON.stringify(SERVICE_NAMES.slice(1).map(meowFor))}`,
    meows: JSON.stringify(SERVICE_NAMES.map(meowFor)),
  };
}

/** devLoopAnswers() once they are `expected`, or the last ones after RELOAD_TIMEOUT_MS, for the assertion to show. */
function answersOnceReloaded(project: ComposeProject, expected: DevLoopAnswers): Promise<DevLoopAnswers> {
  return pollUntil(
    () => devLoopAnswers(project),
    (answers) => answers.start === expected.start && answers.meows === expected.meows,
    RELOAD_TIMEOUT_MS,
    500,
  );
}

describe('docker-compose.prod.yml on the images built from the repo, node-john scaled to two', () => {
  let project: ComposeProject;

  beforeAll(async () => {
    project = await composeProject('prod', ['docker-compose.prod.yml']);
    await project.run('up', '--detach', '--wait', '--no-build', '--scale', 'node-john=2');
  }, 240_000);

  afterAll(() => project?.down(), 120_000);

  it('answers /start through the gateway with the meows of the rest of the chain', async () => {
    const { status, body } = await get(`${project.gatewayUrl}${ROUTES.start}`);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual(expectedStartAnswer());
  });

  it('answers /ping through the gateway', async () => {
    expect(await get(`${project.gatewayUrl}${ROUTES.ping}`)).toEqual(PING_ANSWERS.serving);
  });

  it('serves the client page at /', async () => {
    const { status, body } = await get(`${project.gatewayUrl}/`);
    expect(status).toBe(200);
    expect(body).toContain('<title>PING PONG</title>');
  });

  it('spreads /start over both node-john replicas', async () => {
    const before = await startsServedPerJohn(project, 2);
    for (let request = 0; request < 20; request++) expect((await get(`${project.gatewayUrl}${ROUTES.start}`)).status).toBe(200);
    const after = await startsServedPerJohn(project, 2);
    const served = after.map((count, index) => count - before[index]!);
    expect(served.reduce((sum, count) => sum + count, 0)).toBe(20);
    expect(Math.min(...served)).toBeGreaterThan(0);
  });
});

describe('docker-compose.yml, the dev loop, started with up --build --wait', () => {
  let project: ComposeProject;
  let overrideDir: string;

  beforeAll(async () => {
    // The dev file names its containers (node-john, ...); names are global, so
    // this run drops them to run beside a developer's own stack.
    overrideDir = mkdtempSync(join(tmpdir(), 'pp-compose-'));
    const override = join(overrideDir, 'no-container-names.yml');
    const services = [...SERVICE_NAMES, 'client', 'gateway'];
    writeFileSync(override, `services:\n${services.map((service) => `  ${service}:\n    container_name: !reset null\n`).join('')}`);
    project = await composeProject('dev', ['docker-compose.yml', override]);
    await project.run('up', '--detach', '--build', '--wait');
  }, 420_000);

  afterAll(async () => {
    // A test that timed out mid-edit has not reached its own restore yet.
    watchedEdit.restore();
    // `all`: the file names its node image (<project>-node-dev), which `local` would leave behind.
    await project?.down('all');
    rmSync(overrideDir, { recursive: true, force: true });
  }, 120_000);

  it('builds one node image for the four services', async () => {
    const imageIds = (await project.run('images', '--quiet', ...SERVICE_NAMES)).split('\n').filter(Boolean);
    expect(new Set(imageIds).size).toBe(1);
  });

  it('publishes the gateway on loopback only', async () => {
    expect((await project.run('port', 'gateway', String(GATEWAY_PORT))).trim()).toBe(`127.0.0.1:${new URL(project.gatewayUrl).port}`);
  });

  it('answers /start and /ping through the gateway', async () => {
    expect(JSON.parse((await get(`${project.gatewayUrl}${ROUTES.start}`)).body)).toEqual(expectedStartAnswer());
    expect(await get(`${project.gatewayUrl}${ROUTES.ping}`)).toEqual(PING_ANSWERS.serving);
  });

  it(
    'reloads all four services from the watched sources: an edit to the contract’s meow shows in every answer until it is undone',
    async () => {
      const marker = `edited-${randomBytes(3).toString('hex')}`;
      const original = answersWith((service) => meowOf(service, SERVICE_PORT));
      expect(await devLoopAnswers(project)).toEqual(original);

      watchedEdit.apply(MEOW_SOURCE, (text) => {
        const count = text.split(MEOW_RETURN).length - 1;
        if (count !== 1) throw new Error(`${MEOW_SOURCE} holds ${count} copies of ${MEOW_RETURN}; this test edits exactly one`);
        return text.replace(MEOW_RETURN, MEOW_RETURN.replace('}`;', `} (${marker})\`;`));
      });
      try {
        const expected = answersWith((service) => `${meowOf(service, SERVICE_PORT)} (${marker})`);
        expect(await answersOnceReloaded(project, expected)).toEqual(expected);
      } finally {
        watchedEdit.restore();
      }
      expect(await answersOnceReloaded(project, original)).toEqual(original);
    },
    2 * RELOAD_TIMEOUT_MS + 30_000,
  );

  it('serves the client from the Vite dev server, with its hot-reload client', async () => {
    const { status, body } = await get(`${project.gatewayUrl}/`);
    expect(status).toBe(200);
    expect(body).toContain('/@vite/client');
  });

  it('passes Vite’s hot-reload WebSocket through the gateway (CLIENT_WEBSOCKET=on)', async () => {
    // The token Vite requires on the socket is in the client script it serves.
    const token = /const wsToken = "([^"]+)"/.exec((await get(`${project.gatewayUrl}/@vite/client`)).body)?.[1];
    expect(token).toBeDefined();
    const firstMessage = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(`${project.gatewayUrl.replace(/^http/, 'ws')}/?token=${token}`, 'vite-hmr');
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('no message on the hot-reload socket within 10 s'));
      }, 10_000);
      socket.onmessage = (event) => {
        clearTimeout(timer);
        socket.close();
        resolve(String(event.data));
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new Error('the hot-reload socket failed to open through the gateway'));
      };
    });
    expect(JSON.parse(firstMessage)).toMatchObject({ type: 'connected' });
  });
});
