import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedTestContainer } from 'testcontainers';
import { loadLoop, slowHeaderClients, type LoadResult } from '../support/load';
import { docker, imageName } from '../support/images';
import { CHAIN, SERVICE_NAMES } from '@ping-pong/contract';
import { pollUntil } from '@ping-pong/test-support';
import { REPO_ROOT } from '@ping-pong/tooling';
import {
  containerGroup,
  gatewayContainer,
  gatewayUrlOf,
  nodeContainer,
  startNetwork,
  startStack,
  stubUpstreamContainer,
  type ContainerGroup,
  type Stack,
  type StackService,
} from '../support/stack';
import { call, dockerHandle, jsonLogs, START_ANSWER, type Answer } from '../support/stack-control';
/** The services' default, as in docker-compose.prod.yml. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Stop timeout for a clean SIGTERM: longer than the drain may take (compose: stop_grace_period 15s). */
const STOP_TIMEOUT_SECONDS = 15;

/**
 * A stack of its own for the enclosing describe block, removed after its
 * tests whatever they did to it, together with any container a test started
 * with the stack's `start`.
 */
function stackForThisBlock(nodeVariables: Record<string, string> = {}) {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(nodeVariables);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);
  return {
    get stack(): Stack {
      if (!stack) throw new Error('the stack did not start');
      return stack;
    },
  };
}

describe('the chain through the gateway, read-only checks on one shared stack', () => {
  const block = stackForThisBlock();

  it('answers /start with the three meows, /ping with pong, / with the client page and an unknown path with the 404 JSON', async () => {
    const { gatewayUrl } = block.stack;
    const start = await call(`${gatewayUrl}/start`);
    expect([start.status, start.body]).toEqual([200, START_ANSWER]);
    const ping = await call(`${gatewayUrl}/ping`);
    expect([ping.status, ping.body]).toEqual([200, 'pong']);
    const page = await call(`${gatewayUrl}/`, { Accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PING PONG</title>');
    const unknown = await call(`${gatewayUrl}/no-such-path`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(unknown.body)).toEqual({
      error: 'not_found',
      message: expect.stringContaining('/no-such-path'),
      requestId: unknown.headers.get('x-request-id'),
    });
  });

  it('returns the caller’s request id and logs it in the gateway and in all four services', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const answer = await call(`${block.stack.gatewayUrl}/start`, { 'X-Request-Id': requestId });
    expect([answer.status, answer.headers.get('x-request-id')]).toEqual([200, requestId]);

    const services: StackService[] = ['gateway', ...SERVICE_NAMES];
    const loggedBy = async () =>
      Object.fromEntries(
        await Promise.all(
          services.map(async (service) => [
            service,
            (await jsonLogs(block.stack.containers[service])).some((line) => line.requestId === requestId && line.msg === 'request'),
          ]),
        ),
      ) as Record<StackService, boolean>;
    // Services write their logs asynchronously; a line can trail the answer by a few milliseconds.
    const logged = await pollUntil(loggedBy, (found) => Object.values(found).every(Boolean));
    expect(logged).toEqual(Object.fromEntries(services.map((service) => [service, true])));
  });

  it('runs every container as a non-root user on a read-only root filesystem, and the node image holds no dev dependencies, tests or test source maps', async () => {
    for (const [service, container] of Object.entries(block.stack.containers)) {
      const inspect = await (await dockerHandle(container)).inspect();
      const uid = (await container.exec(['id', '-u'])).output.trim();
      const rootMount = (await container.exec(['cat', '/proc/mounts'])).output.split('\n').find((line) => line.split(' ')[1] === '/');
      expect({ service, user: inspect.Config.User, uid, readOnly: inspect.HostConfig.ReadonlyRootfs, rootMount }).toEqual({
        service,
        user: expect.not.stringMatching(/^(|root|0)$/),
        uid: expect.not.stringMatching(/^0$/),
        readOnly: true,
        rootMount: expect.stringMatching(/^\S+ \/ \S+ ro[, ]/),
      });
    }

    const john = block.stack.containers['node-john'];
    const installed = (await john.exec(['find', '/app', '-path', '*/node_modules/*', '-name', 'package.json'])).output
      .split('\n')
      .flatMap((path) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(path)?.[1] ?? []);
    const devOnly = devOnlyDependencies();
    expect(installed).toEqual(expect.arrayContaining(['express', 'pino', 'undici']));
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'jest', 'ts-jest', '@types/node']));
    expect(devOnly.filter((name) => installed.includes(name))).toEqual([]);

    const ownFiles = (await john.exec(['find', '/app', '-path', '*/node_modules', '-prune', '-o', '-type', 'f', '-print'])).output
      .split('\n')
      .filter(Boolean);
    expect(ownFiles).toEqual(expect.arrayContaining(['/app/apps/john/dist/main.js', '/app/packages/ping-core/dist/relay.js']));
    expect(ownFiles.filter((path) => /(\.|\/)(test|spec)s?([./]|$)|__tests__/.test(path))).toEqual([]);
  });

  it('answers bad input through the gateway with clear statuses (431, 414, replaced request ids, a burst of 200) and keeps answering /start', async () => {
    const { gatewayUrl } = block.stack;
    const oversizedHeaders = await call(`${gatewayUrl}/start`, { 'X-Padding': 'x'.repeat(20 * 1024) });
    expect([oversizedHeaders.status, parsed(oversizedHeaders.body)]).toEqual([
      431,
      expect.objectContaining({ error: 'headers_too_large' }),
    ]);

    const longUrl = await call(`${gatewayUrl}/${'a'.repeat(20_000)}`);
    expect(longUrl.status).toBe(414);

    for (const malformed of ['../../etc/passwd; rm -rf /', 'x'.repeat(200)]) {
      const answer = await call(`${gatewayUrl}/start`, { 'X-Request-Id': malformed });
      expect({ malformed, status: answer.status, body: answer.body, requestId: answer.headers.get('x-request-id') }).toEqual({
        malformed,
        status: 200,
        body: START_ANSWER,
        requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    }

    const burst = await Promise.all(Array.from({ length: 200 }, () => call(`${gatewayUrl}/start`)));
    const statuses: Record<number, number> = {};
    for (const { status } of burst) statuses[status] = (statuses[status] ?? 0) + 1;
    console.log(`burst of 200 concurrent /start through the gateway: ${JSON.stringify(statuses)} (status: count)`);
    expect(
      burst.filter(({ status, body }) => status !== 200 || body !== START_ANSWER).map(({ status, body }) => `${status} ${body}`),
    ).toEqual([]);

    const after = await call(`${gatewayUrl}/start`);
    expect([after.status, after.body]).toEqual([200, START_ANSWER]);
  });

  it('answers a path forging a JSON key with a 404 JSON that parses and holds only its own keys', async () => {
    const answer = await call(`${block.stack.gatewayUrl}/x%22,%22hop%22:%22node-ringo`, { Accept: 'application/json' });
    expect(answer.status).toBe(404);
    expect(parsed(answer.body)).toEqual({
      error: 'not_found',
      message: 'no route for GET /x%22,%22hop%22:%22node-ringo',
      requestId: answer.headers.get('x-request-id'),
    });
  });

  it('answers /ping within a second while a thousand clients send their headers slowly, and drops those clients after client_header_timeout', async () => {
    const slow = await slowHeaderClients(block.stack.gatewayUrl, 1000);
    try {
      const ping = await call(`${block.stack.gatewayUrl}/ping`);
      expect([ping.status, ping.body]).toEqual([200, 'pong']);
      expect(ping.durationMs).toBeLessThan(1000);
      // The gateway's client_header_timeout is 5 s; nginx's default (60 s) would keep them all past this wait.
      const closed = await pollUntil(
        async () => slow.closedByServer,
        (count) => count === 1000,
        20_000,
      );
      expect(closed).toBe(1000);
    } finally {
      slow.stop();
    }
  }, 60_000);
});

describe('the gateway in front of two stand-ins for node-john that take 5 s to answer /start, with REQUEST_DEADLINE_MS=200', () => {
  let containers: ContainerGroup | undefined;
  let stubs: StartedTestContainer[];
  let gateway: StartedTestContainer;
  let gatewayUrl: string;
  beforeAll(async () => {
    const network = await startNetwork();
    const group = (containers = containerGroup(network));
    stubs = await Promise.all([
      group.start(stubUpstreamContainer(network, 'node-john', 5000)),
      group.start(stubUpstreamContainer(network, 'node-john', 5000)),
    ]);
    gateway = await group.start(gatewayContainer(network, { REQUEST_DEADLINE_MS: '200' }));
    gatewayUrl = gatewayUrlOf(gateway);
  }, 120_000);
  afterAll(async () => {
    await containers?.stop();
  }, 60_000);

  const received = async (path: string) =>
    (await Promise.all(stubs.map(async (stub) => (await jsonLogs(stub)).filter((line) => line.received === path).length))).reduce(
      (sum, count) => sum + count,
    );

  it('sends a request whose answer timed out to one upstream only, once, and answers 504 with its own JSON', async () => {
    const answer = await call(`${gatewayUrl}/start`);
    expect([answer.status, parsed(answer.body)]).toEqual([
      504,
      { error: 'gateway_timeout', message: 'node-john:3000 did not answer in time', requestId: answer.headers.get('x-request-id') },
    ]);
    expect(await received('/start')).toBe(1);
  });

  it('refuses to start with a REQUEST_DEADLINE_MS it cannot derive its read timeout from, saying so in one line', async () => {
    const failure = await docker(
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '-e',
      'REQUEST_DEADLINE_MS=2s',
      imageName('gateway'),
    ).then(
      () => 'started',
      (error: { code?: number; stderr?: string }) => ({ exitCode: error.code, stderr: error.stderr?.trim() }),
    );
    expect(failure).toEqual({
      exitCode: 1,
      stderr: 'Invalid environment: REQUEST_DEADLINE_MS "2s": must be an integer number of milliseconds (100-60000)',
    });
  });

  it('drops the chain’s internal headers from outside, sets X-Forwarded-For to the peer and passes no Upgrade', async () => {
    const requestId = `e2e-${randomUUID()}`;
    // node:http, since fetch refuses to send Upgrade and Connection.
    const answer = await rawGet(`${gatewayUrl}/ping`, {
      'X-Request-Id': requestId,
      'X-Hop-Count': '7',
      'X-Deadline-Ms': '1',
      'X-Forwarded-For': '203.0.113.9',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
    });
    expect(answer.status).toBe(200);
    const seen = parsed(answer.body) as Record<string, string>;
    // The gateway writes its access log in batches, flushed at least every second.
    const gatewayLine = await pollUntil(
      async () => (await jsonLogs(gateway)).find((line) => line.requestId === requestId),
      (line) => line !== undefined,
    );
    expect({ hopCount: seen['x-hop-count'], deadline: seen['x-deadline-ms'], upgrade: seen.upgrade }).toEqual({
      hopCount: undefined,
      deadline: undefined,
      upgrade: undefined,
    });
    expect(seen['x-forwarded-for']).toBe(gatewayLine?.remoteAddr);
    expect(seen['x-request-id']).toBe(requestId);
  });
});

describe('node-ringo stopped and started again', () => {
  const block = stackForThisBlock();

  it('answers 502 naming node-ringo quickly while ringo is stopped, and recovers once the same ringo starts, the others untouched', async () => {
    const { stack } = block;
    const othersStartedAt = () =>
      Promise.all(
        (['gateway', 'node-john', 'node-paul', 'node-george'] as const).map(async (service) => [
          service,
          (await (await dockerHandle(stack.containers[service])).inspect()).State.StartedAt,
        ]),
      );
    const before = await othersStartedAt();
    const ringo = await dockerHandle(stack.containers['node-ringo']);

    await ringo.stop({ t: STOP_TIMEOUT_SECONDS });
    const failed = await call(`${stack.gatewayUrl}/start`);
    expect([failed.status, parsed(failed.body)]).toEqual([502, expect.objectContaining({ error: 'bad_gateway', hop: 'node-ringo' })]);
    // Well under the 2 s request deadline: a stopped hop is reported, not waited for.
    expect(failed.durationMs).toBeLessThan(1000);

    await ringo.start();
    const recovered = await pollUntil(
      () => call(`${stack.gatewayUrl}/start`),
      (answer) => answer.status === 200,
      30_000,
    );
    expect([recovered.status, recovered.body]).toEqual([200, START_ANSWER]);
    expect(await othersStartedAt()).toEqual(before);
  });
});

describe('node-george paused, with REQUEST_DEADLINE_MS=1500', () => {
  const deadlineMs = 1500;
  const block = stackForThisBlock({ REQUEST_DEADLINE_MS: String(deadlineMs) });

  it('answers 504 naming node-george within the deadline plus a small margin, and recovers once george is unpaused', async () => {
    const { stack } = block;
    const george = await dockerHandle(stack.containers['node-george']);
    await george.pause();
    let timedOut: Answer;
    try {
      timedOut = await call(`${stack.gatewayUrl}/start`);
    } finally {
      await george.unpause();
    }
    expect([timedOut.status, parsed(timedOut.body)]).toEqual([
      504,
      expect.objectContaining({ error: 'gateway_timeout', hop: 'node-george' }),
    ]);
    expect(timedOut.durationMs).toBeLessThan(deadlineMs + 1000);

    const recovered = await call(`${stack.gatewayUrl}/start`);
    expect([recovered.status, recovered.body]).toEqual([200, START_ANSWER]);
  });
});

describe('node-john replaced under load', () => {
  const block = stackForThisBlock();

  it('serves every request while a new node-john starts healthy and the old one drains on SIGTERM', async () => {
    const { stack } = block;
    const oldJohn = await dockerHandle(stack.containers['node-john']);
    // 4 callers pausing 50 ms between calls: bounded, a few hundred requests while each step happens.
    const load = loadLoop(`${stack.gatewayUrl}/start`, START_ANSWER, 4, 50);
    let newJohn: StartedTestContainer;
    let result: LoadResult;
    try {
      await sleep(5000);
      newJohn = await stack.start(nodeContainer('node-john', stack.network));
      await oldJohn.stop({ t: STOP_TIMEOUT_SECONDS });
      // The gateway resolves node-john at request time (valid=1s): load goes on well past that.
      await sleep(7000);
    } finally {
      result = await load.stop();
    }
    console.log(`rolling replacement of node-john under load: ${result.served} requests served, ${result.failed} failed`);
    expect(result.failures.slice(0, 5)).toEqual([]);
    expect(result.served).toBeGreaterThan(100);
    expect((await oldJohn.inspect()).State.ExitCode).toBe(0);
    const servedByNewJohn = (await jsonLogs(newJohn)).filter((line) => line.msg === 'request' && line.path === '/start');
    expect(servedByNewJohn.length).toBeGreaterThan(0);
  }, 120_000);
});

describe('node-john given SIGTERM during a slow request, with REQUEST_DEADLINE_MS=5000', () => {
  // Long enough for george to stay paused while john is told to stop.
  const block = stackForThisBlock({ REQUEST_DEADLINE_MS: '5000', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });

  it('answers the request in flight with 200, then node-john exits 0 within its shutdown timeout', async () => {
    const { stack } = block;
    const john = await dockerHandle(stack.containers['node-john']);
    const george = await dockerHandle(stack.containers['node-george']);
    const requestId = `e2e-${randomUUID()}`;
    let inFlight: Promise<Answer>;
    let sigtermAt: number;
    let runningWhileRequestInFlight: boolean;
    await george.pause();
    try {
      inFlight = call(`${stack.gatewayUrl}/start`, { 'X-Request-Id': requestId });
      expect(await pollUntil(() => johnCallsPaul(stack.containers['node-john']), Boolean, 5000)).toBe(true);
      sigtermAt = performance.now();
      await john.kill({ signal: 'SIGTERM' });
      // Draining: john must still be there, holding the request george has not answered yet.
      await sleep(1000);
      runningWhileRequestInFlight = (await john.inspect()).State.Running;
    } finally {
      await george.unpause();
    }
    const answer = await inFlight;
    const { StatusCode } = (await john.wait()) as { StatusCode: number };
    const exitedAfterMs = performance.now() - sigtermAt;

    expect(runningWhileRequestInFlight).toBe(true);
    expect([answer.status, answer.body]).toEqual([200, START_ANSWER]);
    expect(StatusCode).toBe(0);
    expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // The request is logged when answered: after the SIGTERM, before john stopped.
    const milestones = ['shutdown requested', 'request 200 /start', 'stopped'];
    const johnLog = (await jsonLogs(stack.containers['node-john'])).map((line) =>
      line.requestId === requestId ? `request ${line.status} ${line.path}` : line.msg,
    );
    expect(johnLog.filter((message) => message !== undefined && milestones.includes(message))).toEqual(milestones);
  });
});

/** An established connection from node-john to port 3000 elsewhere: on a fresh stack, only a /start being relayed opens one. */
async function johnCallsPaul(john: StartedTestContainer): Promise<boolean> {
  const table = (await john.exec(['cat', '/proc/net/tcp'])).output.split('\n').slice(1);
  return table.some((row) => {
    const [, , remote, state] = row.trim().split(/\s+/);
    return remote?.endsWith(':0BB8') === true && state === '01';
  });
}

/** A GET with exactly these headers. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, timeout: 10_000 }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`no answer from ${url} within 10 s`));
      });
  });
}

/** The JSON body, or the text when it is not JSON, so a failed expectation shows what came back. */
function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Packages the repo declares only as devDependencies of the root, ping-core and the four services. */
function devOnlyDependencies(): string[] {
  const manifests = ['package.json', 'packages/ping-core/package.json', ...CHAIN.map(({ app }) => `apps/${app}/package.json`)].map(
    (path) => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as { dependencies?: object; devDependencies?: object },
  );
  const runtime = new Set(manifests.flatMap((manifest) => Object.keys(manifest.dependencies ?? {})));
  const dev = new Set(manifests.flatMap((manifest) => Object.keys(manifest.devDependencies ?? {})));
  return [...dev].filter((name) => !runtime.has(name));
}
