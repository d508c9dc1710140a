import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEADERS, meowOf, OK_STATUS, ROUTES, SERVICE_PORT } from '@ping-pong/contract';
import { freePort, pollUntil, SOURCE_NODE_ARGS, startNode, type RunningProcess } from '@ping-pong/test-support';

const START_MEMBER = path.join(__dirname, 'fixtures', 'start-member.ts');

/** node-john's process with only `env` set, as a container would start it. */
function startJohn(env: Record<string, string>): RunningProcess {
  return startNode('node-john', [...SOURCE_NODE_ARGS, START_MEMBER, 'node-john'], { env, cleanEnv: true });
}

async function listenOnFreePort(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('startup validation', () => {
  it.each([
    ['PORT', '99999'],
    ['NEXT_HOP', 'not a url'],
    ['REQUEST_DEADLINE_MS', 'fast'],
    ['LOG_LEVEL', 'shout'],
    ['SERVICE_NAME', 'node_john!'],
  ])('stops with a non-zero exit and one line naming %s when it is %p', async (variable, value) => {
    const john = startJohn({ [variable]: value });
    const { code } = await john.exited;
    expect(code).toBe(1);
    expect(john.stdout).toBe('');
    expect(john.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Invalid environment: ${variable} "`))]);
  });

  it('stops with one clear line when its port is taken', async () => {
    const blocker = createServer();
    const port = await listenOnFreePort(blocker);
    try {
      const john = startJohn({ PORT: String(port) });
      expect((await john.exited).code).toBe(1);
      expect(john.stderr.trim()).toBe(`Cannot listen on port ${port}: EADDRINUSE`);
    } finally {
      blocker.close();
    }
  });
});

describe('logging', () => {
  it('writes a request’s log line as soon as the request is done, not at exit', async () => {
    const port = await freePort();
    const john = startJohn({ PORT: String(port), NEXT_HOP: '' });
    try {
      await john.waitUntilReady(`http://127.0.0.1:${port}${ROUTES.ping}`);
      await fetch(`http://127.0.0.1:${port}${ROUTES.meow}`, { headers: { [HEADERS.requestId]: 'seen-right-away' } });
      const stdout = await pollUntil(
        async () => john.stdout,
        (text) => text.includes('seen-right-away'),
        2000,
        50,
      );
      const line = stdout.split('\n').find((candidate) => candidate.includes('seen-right-away'));
      expect(JSON.parse(line!)).toMatchObject({
        level: 'info',
        service: 'node-john',
        requestId: 'seen-right-away',
        path: ROUTES.meow,
        status: OK_STATUS,
      });
    } finally {
      await john.stop();
    }
  });
});

describe('graceful shutdown', () => {
  let slowPaul: Server;
  let paulPort: number;
  beforeAll(async () => {
    // Answers every hop call after 800 ms, so a request is in flight when SIGTERM arrives.
    slowPaul = createServer((_req, res) => {
      setTimeout(() => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify([meowOf('node-paul', SERVICE_PORT)]));
      }, 800);
    });
    paulPort = await listenOnFreePort(slowPaul);
  });
  afterAll(() => {
    slowPaul.closeAllConnections();
    slowPaul.close();
  });

  it('on SIGTERM finishes the request in flight with 200, refuses new connections and exits 0', async () => {
    const port = await freePort();
    const john = startJohn({ PORT: String(port), NEXT_HOP: `http://127.0.0.1:${paulPort}` });
    await john.waitUntilReady(`http://127.0.0.1:${port}${ROUTES.ping}`);

    const inFlight = fetch(`http://127.0.0.1:${port}${ROUTES.start}`);
    await sleep(200);
    john.signal('SIGTERM');
    await sleep(100);

    await expect(fetch(`http://127.0.0.1:${port}${ROUTES.ping}`)).rejects.toThrow();
    const response = await inFlight;
    expect(response.status).toBe(OK_STATUS);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual([meowOf('node-paul', SERVICE_PORT)]);

    expect((await john.exited).code).toBe(0);
    const messages = john.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.slice(0, 4)).toEqual(['listening', 'request', 'shutdown requested', 'draining']);
    // The in-flight request's line and the final one race: the socket may close before the response's finish event.
    expect(messages.slice(4).sort()).toEqual(['request', 'stopped']);
  });

  it('cuts off what is still running after SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const port = await freePort();
    const john = startJohn({ PORT: String(port), NEXT_HOP: `http://127.0.0.1:${paulPort}`, SHUTDOWN_TIMEOUT_MS: '200' });
    await john.waitUntilReady(`http://127.0.0.1:${port}${ROUTES.ping}`);

    const inFlight = fetch(`http://127.0.0.1:${port}${ROUTES.start}`).then(
      (response) => response.status,
      () => 'connection closed',
    );
    await sleep(100);
    john.signal('SIGTERM');

    expect((await john.exited).code).toBe(1);
    expect(john.stdout).toContain('shutdown timed out');
    expect(await inFlight).toBe('connection closed');
  });
});
