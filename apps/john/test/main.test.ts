import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ENTRY = join(__dirname, '..', 'dist', 'main.js');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startJohn(env: Record<string, string>): { child: ChildProcess; exited: Promise<Exit>; stdout(): string } {
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, exited, stdout: () => stdout };
}

async function listenOnFreePort(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenOnFreePort(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered`);
}

describe('startup validation', () => {
  it.each([
    ['PORT', '99999'],
    ['NEXT_HOP', 'not a url'],
    ['REQUEST_DEADLINE_MS', 'fast'],
    ['LOG_LEVEL', 'shout'],
    ['SERVICE_NAME', 'node_john!'],
  ])('stops with a non-zero exit and one line naming %s when it is %p', async (variable, value) => {
    const { exited } = startJohn({ [variable]: value });
    const { code, stderr, stdout } = await exited;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Invalid environment: ${variable} "`))]);
  });

  it('stops with one clear line when its port is taken', async () => {
    const blocker = createServer();
    const port = await listenOnFreePort(blocker);
    try {
      const { code, stderr } = await startJohn({ PORT: String(port) }).exited;
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`Cannot listen on port ${port}: EADDRINUSE`);
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
      await waitUntilUp(`http://127.0.0.1:${port}/ping`);
      await fetch(`http://127.0.0.1:${port}/meow`, { headers: { 'X-Request-Id': 'seen-right-away' } });
      for (let attempt = 0; attempt < 40 && !john.stdout().includes('seen-right-away'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const line = john
        .stdout()
        .split('\n')
        .find((candidate) => candidate.includes('seen-right-away'));
      expect(JSON.parse(line!)).toMatchObject({
        level: 'info',
        service: 'node-john',
        requestId: 'seen-right-away',
        path: '/meow',
        status: 200,
      });
    } finally {
      john.child.kill('SIGTERM');
      await john.exited;
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
        res.end('["meow from node-paul:3000"]');
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
    const { child, exited } = startJohn({ PORT: String(port), NEXT_HOP: `http://127.0.0.1:${paulPort}` });
    await waitUntilUp(`http://127.0.0.1:${port}/ping`);

    const inFlight = fetch(`http://127.0.0.1:${port}/start`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));

    await expect(fetch(`http://127.0.0.1:${port}/ping`)).rejects.toThrow();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual(['meow from node-paul:3000']);

    const { code, stdout } = await exited;
    expect(code).toBe(0);
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.slice(0, 4)).toEqual(['listening', 'request', 'shutdown requested', 'draining']);
    // The in-flight request's line and the final one race: the socket may close before the response's finish event.
    expect(messages.slice(4).sort()).toEqual(['request', 'stopped']);
  });

  it('cuts off what is still running after SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const port = await freePort();
    const { child, exited } = startJohn({
      PORT: String(port),
      NEXT_HOP: `http://127.0.0.1:${paulPort}`,
      SHUTDOWN_TIMEOUT_MS: '200',
    });
    await waitUntilUp(`http://127.0.0.1:${port}/ping`);

    const inFlight = fetch(`http://127.0.0.1:${port}/start`).then(
      (response) => response.status,
      () => 'connection closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');

    const { code, stdout } = await exited;
    expect(code).toBe(1);
    expect(stdout).toContain('shutdown timed out');
    expect(await inFlight).toBe('connection closed');
  });
});
