import { ERROR_STATUS, expectedStartAnswer, HEADERS, OK_STATUS, PING_ANSWERS, ROUTES, SERVICE_NAMES } from '@ping-pong/contract';
import { freePort } from '@ping-pong/test-support';
import request from 'supertest';
import { HOP_MARGIN_MS } from '../src/relay';
import { buildConnector } from 'undici';
import { CONNECT_TIMEOUT_MS, createHopClient, type Lookup } from '../src/http-client';
import { listen } from '../src/server';
import { config, startChain, startRawServer, testDeps, type CapturedLogs, type Chain } from './support';

describe('the john → paul → george → ringo chain', () => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await startChain(SERVICE_NAMES);
  });
  afterAll(() => chain.stop());

  it('answers /start on john with the meows of paul, george and ringo in chain order', async () => {
    const response = await request(chain.url).get(ROUTES.start).expect(OK_STATUS);
    expect(response.body).toEqual(expectedStartAnswer(SERVICE_NAMES, (service) => chain.services[service]!.config.port));
    expect(response.body).toHaveLength(3);
  });

  it('carries the caller’s request id to every hop and onto every hop’s log line', async () => {
    const response = await request(chain.url).get(ROUTES.start).set(HEADERS.requestId, 'trace-across-four-hops').expect(OK_STATUS);
    expect(response.headers[HEADERS.requestId]).toBe('trace-across-four-hops');
    for (const name of SERVICE_NAMES) {
      const lines = chain.logs[name]!.lines.filter((line) => line.requestId === 'trace-across-four-hops');
      expect(lines).toEqual([expect.objectContaining({ msg: 'request', service: name, status: OK_STATUS })]);
    }
  });

  it('starts a chain with its full budget and no hops made, whatever X-Hop-Count and X-Deadline-Ms a caller sends to /start', async () => {
    const response = await request(chain.url).get(ROUTES.start).set(HEADERS.hopCount, '999').set(HEADERS.deadline, '1').expect(OK_STATUS);
    expect(response.body).toHaveLength(3);
  });

  it('counts downstream calls by hop and outcome in /metrics', async () => {
    await request(chain.url).get(ROUTES.start).expect(OK_STATUS);
    const response = await request(chain.url).get(ROUTES.metrics).expect(OK_STATUS);
    expect(response.text).toMatch(/downstream_request_duration_seconds_count\{service="node-john",hop="node-paul",outcome="ok"\} [1-9]/);
  });
});

describe('when a hop fails', () => {
  it('when ringo is down, /start answers 502 naming node-ringo, and john keeps serving', async () => {
    const chain = await startChain(SERVICE_NAMES);
    try {
      await chain.services['node-ringo']!.shutdown();
      const response = await request(chain.url).get(ROUTES.start).set(HEADERS.requestId, 'ringo-down').expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toEqual({
        error: 'bad_gateway',
        message: 'node-ringo refused the connection',
        hop: 'node-ringo',
        requestId: 'ringo-down',
      });
      await request(chain.url).get(ROUTES.ping).expect(PING_ANSWERS.serving.status, PING_ANSWERS.serving.body);
    } finally {
      await chain.stop();
    }
  });

  it('when george does not answer, /start answers 504 naming node-george within the deadline', async () => {
    const deadline = 600;
    const silent = await startRawServer(() => {
      // Never answers, like a paused container.
    });
    const chain = await startChain(['node-john', 'node-paul'], {
      'node-john': { REQUEST_DEADLINE_MS: String(deadline) },
      'node-paul': { NEXT_HOP: `http://node-george:${silent.port}` },
    });
    try {
      const started = performance.now();
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.gateway_timeout);
      const elapsed = performance.now() - started;
      expect(response.body).toMatchObject({ error: 'gateway_timeout', hop: 'node-george' });
      // Paul gets the budget less one margin, so he times out first and john answers before his own deadline.
      expect(elapsed).toBeGreaterThanOrEqual(deadline - HOP_MARGIN_MS - 50);
      expect(elapsed).toBeLessThan(deadline + 500);
    } finally {
      await chain.stop();
      await silent.close();
    }
  });

  it('when NEXT_HOP loops back up the chain, answers 508 once the hop limit is passed', async () => {
    const johnPort = await freePort();
    const chain = await startChain(['node-john', 'node-paul'], {
      'node-john': { PORT: String(johnPort), MAX_HOPS: '5' },
      'node-paul': { NEXT_HOP: `http://node-john:${johnPort}`, MAX_HOPS: '5' },
    });
    try {
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.loop_detected);
      expect(response.body).toMatchObject({ error: 'loop_detected', hop: 'node-john' });
      // Hops 1..5 went through (paul, john, paul, john, paul), the sixth was refused.
      const hopLines = [...chain.logs['node-john']!.lines, ...chain.logs['node-paul']!.lines].filter((line) => line.path === ROUTES.hop);
      expect(hopLines).toHaveLength(5);
    } finally {
      await chain.stop();
    }
  });

  it('when a hop answers something that is not JSON, /start answers 502 naming it', async () => {
    const garbage = await startRawServer((_req, res) => res.end('<html>oops</html>'));
    const chain = await startChain(['node-john'], { 'node-john': { NEXT_HOP: `http://node-paul:${garbage.port}` } });
    try {
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({
        error: 'bad_gateway',
        hop: 'node-paul',
        message: 'node-paul answered 200 with a body that is not JSON',
      });
    } finally {
      await chain.stop();
      await garbage.close();
    }
  });

  it('when a hop answers an unexpected status, /start answers 502 naming it rather than passing it on', async () => {
    const teapot = await startRawServer((_req, res) => {
      res.statusCode = 418;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"teapot","message":"short and stout"}');
    });
    const chain = await startChain(['node-john'], { 'node-john': { NEXT_HOP: `http://node-paul:${teapot.port}` } });
    try {
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({
        error: 'bad_gateway',
        hop: 'node-paul',
        message: 'node-paul answered 418 with an unexpected body',
      });
    } finally {
      await chain.stop();
      await teapot.close();
    }
  });

  it('when a hop answers a chain failure’s code with another code’s status, /start answers 502 naming that hop rather than passing it on', async () => {
    const mismatched = await startRawServer((_req, res) => {
      res.statusCode = ERROR_STATUS.gateway_timeout;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"bad_gateway","message":"node-ringo refused the connection","hop":"node-ringo"}');
    });
    const chain = await startChain(['node-john'], { 'node-john': { NEXT_HOP: `http://node-paul:${mismatched.port}` } });
    try {
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({
        error: 'bad_gateway',
        hop: 'node-paul',
        message: `node-paul answered ${ERROR_STATUS.gateway_timeout} with an unexpected body`,
      });
    } finally {
      await chain.stop();
      await mismatched.close();
    }
  });

  it('when the next hop name does not resolve, /start answers 502 naming it', async () => {
    const chain = await startChain(['node-john'], { 'node-john': { NEXT_HOP: 'http://nowhere-to-be-found:3000' } });
    try {
      const response = await request(chain.url).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({ error: 'bad_gateway', hop: 'nowhere-to-be-found' });
    } finally {
      await chain.stop();
    }
  });
});

describe('internal error messages', () => {
  const marker = 'internal-detail-5f1c9e';
  const throwing: Lookup = () => {
    throw new Error(`resolver exploded at /etc/${marker}`);
  };
  const failing: Lookup = (_hostname, callback) => callback(new Error(`resolver failed: ${marker}`), []);

  it.each([
    ['throws', throwing],
    ['reports an error', failing],
  ])('when the resolver %s, /start answers 502 naming the hop, the message stays in the log', async (_how, lookup) => {
    const john = config('node-john', { PORT: String(await freePort()), NEXT_HOP: 'http://node-paul:3000' });
    const logs: CapturedLogs = { lines: [] };
    const service = await listen(john, testDeps(john, logs, { hopClient: createHopClient({ lookup }) }));
    try {
      const response = await request(`http://127.0.0.1:${john.port}`).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({ error: 'bad_gateway', hop: 'node-paul', message: 'node-paul could not be called' });
      expect(response.text).not.toContain(marker);
      expect(JSON.stringify(logs.lines)).toContain(marker);
    } finally {
      await service.shutdown();
    }
  });
});

describe('the hop client', () => {
  it('retries once on a fresh connection when the next hop closed a pooled keep-alive connection', async () => {
    const requestsPerSocket = new WeakMap<object, number>();
    let served = 0;
    // Answers the first request on each connection and drops any later one, like a peer closing an idle socket.
    const flaky = await startRawServer((req, res) => {
      const count = (requestsPerSocket.get(req.socket) ?? 0) + 1;
      requestsPerSocket.set(req.socket, count);
      if (count > 1) return void req.socket.destroy();
      served++;
      res.setHeader('Content-Type', 'application/json');
      res.end('["meow from node-paul:1"]');
    });
    const chain = await startChain(['node-john'], { 'node-john': { NEXT_HOP: `http://node-paul:${flaky.port}` } });
    try {
      await request(chain.url).get(ROUTES.start).expect(OK_STATUS);
      await request(chain.url).get(ROUTES.start).expect(OK_STATUS, ['meow from node-paul:1']);
      expect(served).toBe(2);
    } finally {
      await chain.stop();
      await flaky.close();
    }
  });

  it('when the name still lists an address nobody answers at (a container just gone), connects to the next one', async () => {
    const paul = await startRawServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('["meow from node-paul:1"]');
    });
    const gone = '192.0.2.7';
    const tried: string[] = [];
    const realConnect = buildConnector({ timeout: CONNECT_TIMEOUT_MS });
    // The gone address stays silent until the connect timeout, as an address nobody holds any more does.
    const connect: buildConnector.connector = (options, callback) => {
      tried.push(options.hostname);
      if (options.hostname !== gone) return realConnect(options, callback);
      setTimeout(() => callback(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), null), 20);
    };
    const lookup: Lookup = (_hostname, callback) =>
      callback(null, [
        { address: gone, family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const random = jest.spyOn(Math, 'random').mockReturnValue(0); // the gone address first
    const john = config('node-john', { PORT: String(await freePort()), NEXT_HOP: `http://node-paul:${paul.port}` });
    const service = await listen(john, testDeps(john, { lines: [] }, { hopClient: createHopClient({ lookup, connect }) }));
    try {
      await request(`http://127.0.0.1:${john.port}`).get(ROUTES.start).expect(OK_STATUS, ['meow from node-paul:1']);
      expect(tried).toEqual([gone, '127.0.0.1']);
    } finally {
      random.mockRestore();
      await service.shutdown();
      await paul.close();
    }
  });

  it('when the only address a name lists times out, the call is sent once more on a new connection, and fails naming the hop if that times out too', async () => {
    let connects = 0;
    const connect: buildConnector.connector = (_options, callback) => {
      connects++;
      setTimeout(() => callback(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), null), 20);
    };
    const lookup: Lookup = (_hostname, callback) => callback(null, [{ address: '192.0.2.7', family: 4 }]);
    const john = config('node-john', { PORT: String(await freePort()), NEXT_HOP: 'http://node-paul:3000' });
    const service = await listen(john, testDeps(john, { lines: [] }, { hopClient: createHopClient({ lookup, connect }) }));
    try {
      const response = await request(`http://127.0.0.1:${john.port}`).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(response.body).toMatchObject({ error: 'bad_gateway', hop: 'node-paul', message: 'node-paul could not be reached' });
      expect(connects).toBe(2);
    } finally {
      await service.shutdown();
    }
  });
});

describe('the dev loop without Docker', () => {
  it('resolves *.localhost hop names to loopback, so failures name the service', async () => {
    const ringoPort = await freePort();
    const john = config('node-john', { PORT: String(await freePort()), NEXT_HOP: `http://node-ringo.localhost:${ringoPort}` });
    const service = await listen(john, testDeps(john, { lines: [] }, { hopClient: createHopClient() }));
    try {
      const down = await request(`http://127.0.0.1:${john.port}`).get(ROUTES.start).expect(ERROR_STATUS.bad_gateway);
      expect(down.body).toMatchObject({ hop: 'node-ringo.localhost', message: 'node-ringo.localhost refused the connection' });

      const ringo = await startChain(['node-ringo'], { 'node-ringo': { PORT: String(ringoPort) } });
      try {
        await request(`http://127.0.0.1:${john.port}`)
          .get(ROUTES.start)
          .expect(OK_STATUS, [`meow from node-ringo:${ringoPort}`]);
      } finally {
        await ringo.stop();
      }
    } finally {
      await service.shutdown();
    }
  });
});
