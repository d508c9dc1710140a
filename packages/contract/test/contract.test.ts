import {
  CHAIN,
  CHAIN_FAILURE_CODES,
  ERROR_STATUS,
  expectedStartAnswer,
  HEADERS,
  INTERNAL_HEADERS,
  INTERNAL_ROUTES,
  isChainFailure,
  isErrorBody,
  isErrorCode,
  isServiceName,
  memberOf,
  nextHopUrl,
  nextMember,
  PING_ANSWERS,
  PUBLIC_ROUTES,
  REQUEST_ID_PATTERN,
  ROUTES,
  SERVICE_NAMES,
} from '../src';

describe('the chain contract', () => {
  it('wires each member to the next on the container port, and the last to nothing', () => {
    expect(SERVICE_NAMES.map((service) => [service, nextHopUrl(service)])).toEqual([
      ['node-john', 'http://node-paul:3000'],
      ['node-paul', 'http://node-george:3000'],
      ['node-george', 'http://node-ringo:3000'],
      ['node-ringo', ''],
    ]);
  });

  it('answers /start with the meows of every member after the first, in order', () => {
    expect(expectedStartAnswer()).toEqual(['meow from node-paul:3000', 'meow from node-george:3000', 'meow from node-ringo:3000']);
    expect(expectedStartAnswer(['node-george', 'node-ringo'], (service) => (service === 'node-ringo' ? 4004 : 1))).toEqual([
      'meow from node-ringo:4004',
    ]);
  });

  it('tells a member’s name from any other, and finds the member by it', () => {
    expect(isServiceName('node-ringo')).toBe(true);
    expect(isServiceName('node-ringo.localhost')).toBe(false);
    expect(memberOf('node-george')).toEqual({ service: 'node-george', app: 'george', devPort: 3003 });
  });

  it('names members uniquely, with distinct dev ports', () => {
    expect(new Set(CHAIN.map((member) => member.service)).size).toBe(CHAIN.length);
    expect(new Set(CHAIN.map((member) => member.devPort)).size).toBe(CHAIN.length);
  });

  it('refuses to find the next member of a service outside the chain', () => {
    expect(() => nextMember('node-yoko', CHAIN)).toThrow(
      'node-yoko is not a member of the chain (node-john, node-paul, node-george, node-ringo)',
    );
  });

  it('keeps plain request ids and refuses anything that could be injected into a log or header', () => {
    const kept = ['trace-1', 'a.b:c_d', 'x'.repeat(128)];
    const refused = ['', 'x'.repeat(129), 'a b', 'a\nb', '"quoted"', '../etc'];
    expect(kept.filter((id) => !REQUEST_ID_PATTERN.test(id))).toEqual([]);
    expect(refused.filter((id) => REQUEST_ID_PATTERN.test(id))).toEqual([]);
  });

  it('recognises an error body by its code and message, with an optional hop and request id', () => {
    expect(isErrorBody({ error: 'bad_gateway', message: 'node-ringo refused the connection', hop: 'node-ringo' })).toBe(true);
    expect(isErrorBody({ error: 'bad_gateway', message: 'x', requestId: 'abc' })).toBe(true);
    expect(isErrorBody({ error: 'bad_gateway' })).toBe(false);
    expect(isErrorBody({ error: 'bad_gateway', message: 'x', hop: 3 })).toBe(false);
    expect(isErrorBody(['meow'])).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });

  it('sends /start and /ping to the first member from outside, and keeps every other route of the members inside', () => {
    expect(ROUTES).toEqual({ start: '/start', ping: '/ping', meow: '/meow', metrics: '/metrics', hop: '/hop' });
    expect(PUBLIC_ROUTES).toEqual(['/start', '/ping']);
    expect(INTERNAL_ROUTES).toEqual(['/meow', '/metrics', '/hop']);
  });

  it('lets the gateway drop the hop count and the deadline from outside, never the request id', () => {
    expect(INTERNAL_HEADERS).toEqual(['x-hop-count', 'x-deadline-ms']);
    expect(INTERNAL_HEADERS).not.toContain(HEADERS.requestId);
  });

  it('gives every error code its own error status, and /ping a healthy and a draining answer', () => {
    const statuses = Object.values(ERROR_STATUS);
    expect(statuses.filter((status) => status < 400 || status > 599)).toEqual([]);
    // One code per status too, so an error page nginx maps by status names one code.
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(CHAIN_FAILURE_CODES.map((code) => ERROR_STATUS[code])).toEqual([502, 504, 508]);
    expect(PING_ANSWERS).toEqual({ serving: { status: 200, body: 'pong' }, draining: { status: 503, body: 'draining' } });
    expect(['not_found', 'loop_detected'].every(isErrorCode)).toBe(true);
    expect(['teapot', 'toString', '__proto__'].some(isErrorCode)).toBe(false);
  });

  it('takes an answer for a failure further down the chain only with a chain failure code, that code’s own status and a hop', () => {
    const failure = (error: string, hop?: string) => ({ error, message: 'x', ...(hop ? { hop } : {}) });
    expect(isChainFailure(502, failure('bad_gateway', 'node-ringo'))).toBe(true);
    expect(isChainFailure(504, failure('gateway_timeout', 'node-george'))).toBe(true);
    expect(isChainFailure(508, failure('loop_detected', 'node-john'))).toBe(true);
    // The gateway's own 502 names an upstream, not a hop.
    expect(isChainFailure(502, failure('bad_gateway'))).toBe(false);
    expect(isChainFailure(502, failure('gateway_timeout', 'node-ringo'))).toBe(false);
    expect(isChainFailure(404, failure('not_found', 'node-ringo'))).toBe(false);
    expect(isChainFailure(502, '<html>Bad Gateway</html>')).toBe(false);
  });
});
