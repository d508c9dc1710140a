import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedStartAnswer, SERVICE_NAMES } from '@ping-pong/contract';
import { composeProject, type ComposeProject } from '../support/compose';

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
      "fetch('http://localhost:3000/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))",
    );
    const line = metrics
      .split('\n')
      .find((text) => text.startsWith('http_request_duration_seconds_count') && text.includes('route="/start"'));
    counts.push(Number(line?.split(' ').pop() ?? 0));
  }
  return counts;
}

describe('docker-compose.prod.yml on the images built from the repo, node-john scaled to two', () => {
  let project: ComposeProject;

  beforeAll(async () => {
    project = await composeProject('prod', ['docker-compose.prod.yml']);
    await project.run('up', '--detach', '--wait', '--no-build', '--scale', 'node-john=2');
  }, 240_000);

  afterAll(() => project?.down(), 120_000);

  it('answers /start through the gateway with the meows of the rest of the chain', async () => {
    const { status, body } = await get(`${project.gatewayUrl}/start`);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual(expectedStartAnswer());
  });

  it('answers /ping through the gateway', async () => {
    expect(await get(`${project.gatewayUrl}/ping`)).toEqual({ status: 200, body: 'pong' });
  });

  it('serves the client page at /', async () => {
    const { status, body } = await get(`${project.gatewayUrl}/`);
    expect(status).toBe(200);
    expect(body).toContain('<title>PING PONG</title>');
  });

  it('spreads /start over both node-john replicas', async () => {
    const before = await startsServedPerJohn(project, 2);
    for (let request = 0; request < 20; request++) expect((await get(`${project.gatewayUrl}/start`)).status).toBe(200);
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
    // `all`: the file names its node image (<project>-node-dev), which `local` would leave behind.
    await project?.down('all');
    rmSync(overrideDir, { recursive: true, force: true });
  }, 120_000);

  it('builds one node image for the four services', async () => {
    const imageIds = (await project.run('images', '--quiet', ...SERVICE_NAMES)).split('\n').filter(Boolean);
    expect(new Set(imageIds).size).toBe(1);
  });

  it('publishes the gateway on loopback only', async () => {
    expect((await project.run('port', 'gateway', '8080')).trim()).toBe(`127.0.0.1:${new URL(project.gatewayUrl).port}`);
  });

  it('answers /start and /ping through the gateway from the watched sources', async () => {
    expect(JSON.parse((await get(`${project.gatewayUrl}/start`)).body)).toEqual(expectedStartAnswer());
    expect(await get(`${project.gatewayUrl}/ping`)).toEqual({ status: 200, body: 'pong' });
  });

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
