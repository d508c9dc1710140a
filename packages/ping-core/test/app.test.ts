import net from 'node:net';
import { ERROR_STATUS, HEADERS, meowOf, OK_STATUS, PING_ANSWERS, ROUTES, SERVICE_PORT } from '@ping-pong/contract';
import { freePort } from '@ping-pong/test-support';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { createApp } from '../src/app';
import { HEADERS_TIMEOUT_MS, listen } from '../src/server';
import { config, testDeps, type CapturedLogs } from './support';

function ringo(env: Record<string, string> = {}) {
  const ringoConfig = config('node-ringo', env);
  const logs: CapturedLogs = { lines: [] };
  const deps = testDeps(ringoConfig, logs);
  return { app: createApp(ringoConfig, deps), deps, logs };
}

describe('a service at the end of the chain', () => {
  it('answers /ping with a plain pong', async () => {
    const response = await request(ringo().app).get(ROUTES.ping).expect(OK_STATUS);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toBe(PING_ANSWERS.serving.body);
  });

  it('answers /ping 503 while it drains, so load balancers stop sending to it', async () => {
    const { app, deps } = ringo();
    deps.lifecycle.draining = true;
    const response = await request(app).get(ROUTES.ping).expect(PING_ANSWERS.draining.status);
    expect(response.headers.connection).toBe('close');
  });

  it('answers /meow with its own name and port as a JSON string', async () => {
    const response = await request(ringo().app).get(ROUTES.meow).expect(OK_STATUS);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toBe(meowOf('node-ringo', SERVICE_PORT));
  });

  it('answers /start with an empty array because nobody comes after it', async () => {
    const response = await request(ringo().app).get(ROUTES.start).expect(OK_STATUS);
    expect(response.body).toEqual([]);
  });

  it('answers the internal hop route with only its own meow', async () => {
    const response = await request(ringo().app).get(ROUTES.hop).expect(OK_STATUS);
    expect(response.body).toEqual([meowOf('node-ringo', SERVICE_PORT)]);
  });

  it('answers HEAD on a known route like GET without a body', async () => {
    const response = await request(ringo().app).head(ROUTES.ping).expect(OK_STATUS);
    expect(response.text).toBeUndefined();
  });
});

describe('request ids', () => {
  it('keeps a sane id sent by the caller and logs it on the request line', async () => {
    const { app, logs } = ringo();
    const response = await request(app).get(ROUTES.meow).set(HEADERS.requestId, 'client-42.a:b').expect(OK_STATUS);
    expect(response.headers[HEADERS.requestId]).toBe('client-42.a:b');
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        requestId: 'client-42.a:b',
        service: 'node-ringo',
        method: 'GET',
        path: ROUTES.meow,
        status: OK_STATUS,
      }),
    );
  });

  it.each([
    ['with spaces and markup', '<script>alert(1)</script>'],
    ['too long', 'x'.repeat(129)],
    ['with a header-splitting attempt', 'abc%0d%0aSet-Cookie:x=1'],
  ])('replaces a malformed id (%s) instead of echoing it', async (_case, offered) => {
    const response = await request(ringo().app).get(ROUTES.ping).set(HEADERS.requestId, offered).expect(OK_STATUS);
    expect(response.headers[HEADERS.requestId]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates an id when the caller sent none', async () => {
    const response = await request(ringo().app).get(ROUTES.ping).expect(OK_STATUS);
    expect(response.headers[HEADERS.requestId]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('bad requests', () => {
  it('answers an unknown path 404 with the JSON error body', async () => {
    const response = await request(ringo().app).get('/nope').set(HEADERS.requestId, 'r1').expect(ERROR_STATUS.not_found);
    expect(response.body).toEqual({ error: 'not_found', message: 'no route for GET /nope', requestId: 'r1' });
  });

  it('answers a known path with the wrong method 405 and says what is allowed', async () => {
    const response = await request(ringo().app).delete(ROUTES.start).expect(ERROR_STATUS.method_not_allowed);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.body).toMatchObject({ error: 'method_not_allowed' });
  });

  it('answers an oversized body 413 without reading it all', async () => {
    const response = await request(ringo().app)
      .post(ROUTES.start)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.alloc(64 * 1024))
      .expect(ERROR_STATUS.payload_too_large);
    expect(response.body).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers a body it cannot read 400, naming no parser internals', async () => {
    const response = await request(ringo().app)
      .post(ROUTES.start)
      .set('Content-Encoding', 'x-unknown')
      .send('abc')
      .expect(ERROR_STATUS.bad_request);
    expect(response.body).toMatchObject({ error: 'bad_request', message: 'the request could not be read' });
  });

  it('answers a malformed hop count 400 instead of guessing', async () => {
    const response = await request(ringo().app).get(ROUTES.hop).set(HEADERS.hopCount, 'many').expect(ERROR_STATUS.bad_request);
    expect(response.body).toMatchObject({ error: 'bad_request', message: `${HEADERS.hopCount} must be a non-negative integer` });
  });
});

describe('slow clients', () => {
  it(
    'answers a client still sending its headers after HEADERS_TIMEOUT_MS 408 and closes the connection',
    async () => {
      const ringoConfig = config('node-ringo', { PORT: String(await freePort()) });
      const service = await listen(ringoConfig, testDeps(ringoConfig));
      const socket = net.connect(ringoConfig.port, '127.0.0.1');
      socket.on('error', () => {});
      // One header line every half second: never a complete request.
      socket.write('GET /ping HTTP/1.1\r\nHost: ringo\r\n');
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 500);
      try {
        const answer = await new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
        });
        expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${ERROR_STATUS.request_timeout} `));
        expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
          error: 'request_timeout',
          message: 'the request was not received in time',
        });
      } finally {
        clearInterval(trickle);
        socket.destroy();
        await service.shutdown();
      }
    },
    HEADERS_TIMEOUT_MS + 10_000,
  );
});

describe('headers', () => {
  it('sends security headers and does not advertise express', async () => {
    const response = await request(ringo().app).get(ROUTES.ping);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
  });

  it('sends exactly the headers helmet() would add, though they are computed once', async () => {
    const withHelmet = express().disable('x-powered-by').use(helmet());
    const without = express().disable('x-powered-by');
    for (const app of [withHelmet, without]) app.get('/ping', (_req, res) => void res.type('text/plain').send('pong'));
    const helmets = (await request(withHelmet).get(ROUTES.ping)).headers;
    const plain = (await request(without).get(ROUTES.ping)).headers;
    const added = Object.fromEntries(Object.entries(helmets).filter(([name]) => !(name in plain)));
    expect(Object.keys(added).length).toBeGreaterThanOrEqual(10);

    const ours = (await request(ringo().app).get(ROUTES.ping)).headers;
    expect(Object.fromEntries(Object.keys(added).map((name) => [name, ours[name]]))).toEqual(added);
  });

  it('answers HEAD /start with the headers of GET /start and no body', async () => {
    const { app } = ringo();
    const get = await request(app).get(ROUTES.start).expect(OK_STATUS);
    const head = await request(app).head(ROUTES.start).expect(OK_STATUS);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.text).toBeUndefined();
  });

  it('sends no CORS headers unless CORS_ORIGINS allows the origin', async () => {
    const closed = await request(ringo().app).get(ROUTES.start).set('Origin', 'https://evil.example');
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();

    const open = ringo({ CORS_ORIGINS: 'https://board.example' }).app;
    const allowed = await request(open).get(ROUTES.start).set('Origin', 'https://board.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://board.example');
    expect(allowed.headers['access-control-expose-headers']).toBe(HEADERS.requestId);
    const other = await request(open).get(ROUTES.start).set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('/metrics', () => {
  it('exposes request durations by route and status, and process metrics, as Prometheus text', async () => {
    const { app } = ringo();
    await request(app).get(ROUTES.meow);
    await request(app).get('/no-such-route');
    const response = await request(app).get(ROUTES.metrics).expect(OK_STATUS);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/http_request_duration_seconds_count\{service="node-ringo",method="GET",route="\/meow",status="200"\} 1/);
    expect(response.text).toMatch(
      /http_request_duration_seconds_count\{service="node-ringo",method="GET",route="unmatched",status="404"\} 1/,
    );
    expect(response.text).toContain('process_cpu_user_seconds_total');
  });
});
