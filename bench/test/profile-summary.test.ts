import { categoryOf, summarizeProfile, type CpuProfile } from '../src/profile-summary';

describe('categoryOf', () => {
  it.each([
    ['file:///repo/node_modules/express/lib/response.js', 'express'],
    ['file:///repo/node_modules/@types/x/node_modules/prom-client/lib/histogram.js', 'prom-client'],
    ['file:///repo/node_modules/@fastify/busboy/lib/main.js', '@fastify/busboy'],
    ['file:///repo/packages/ping-core/dist/relay.js', '@ping-pong/ping-core'],
    ['node:_http_server', 'node:http'],
    ['node:internal/streams/writable', 'node:streams'],
    ['node:internal/process/task_queues', 'node:process'],
    ['node:net', 'node:net'],
  ])('puts %s under %s', (url, category) => {
    expect(categoryOf({ functionName: 'f', url })).toBe(category);
  });

  it('names V8 pseudo-frames and builtins', () => {
    expect(categoryOf({ functionName: '(garbage collector)', url: '' })).toBe('GC');
    expect(categoryOf({ functionName: 'stringify', url: '' })).toBe('V8 builtins');
  });
});

describe('summarizeProfile', () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
  // root → (idle) 10 hits; root → emit (node:events) 2 → handle (express) 4 → handle (express, recursion) 2 → stringify (builtin) 2
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 40_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
      { id: 2, callFrame: frame('(idle)', ''), hitCount: 10 },
      { id: 3, callFrame: frame('emit', 'node:events', 10), hitCount: 2, children: [4] },
      { id: 4, callFrame: frame('handle', 'file:///r/node_modules/express/lib/router.js', 4), hitCount: 4, children: [5] },
      { id: 5, callFrame: frame('handle', 'file:///r/node_modules/express/lib/router.js', 4), hitCount: 2, children: [6] },
      { id: 6, callFrame: frame('stringify', ''), hitCount: 2 },
    ],
  };

  it('gives self and total shares of the busy samples, counting a recursive frame once per sample', () => {
    const summary = summarizeProfile(profile);
    expect(summary.busy).toBeCloseTo(10 / 20);
    expect(summary.busyMs).toBeCloseTo(20);
    expect(summary.categories).toEqual([
      { name: 'express', self: 0.6, total: 0.8 },
      { name: 'node:events', self: 0.2, total: 1 },
      { name: 'V8 builtins', self: 0.2, total: 0.2 },
    ]);
    expect(summary.functions[0]).toEqual({ name: 'handle express/lib/router.js:5', self: 0.6, total: 0.8 });
  });
});
