import {
  CHAIN,
  expectedStartAnswer,
  isErrorBody,
  isServiceName,
  memberOf,
  nextHopUrl,
  nextMember,
  REQUEST_ID_PATTERN,
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
    expect(['trace-1', 'a.b:c_d', 'x'.repeat(128)].every((id) => REQUEST_ID_PATTERN.test(id))).toBe(true);
    expect(['', 'x'.repeat(129), 'a b', 'a\nb', '"quoted"', '../etc'].some((id) => REQUEST_ID_PATTERN.test(id))).toBe(false);
  });

  it('recognises an error body by its code and message, with an optional hop and request id', () => {
    expect(isErrorBody({ error: 'bad_gateway', message: 'node-ringo refused the connection', hop: 'node-ringo' })).toBe(true);
    expect(isErrorBody({ error: 'bad_gateway', message: 'x', requestId: 'abc' })).toBe(true);
    expect(isErrorBody({ error: 'bad_gateway' })).toBe(false);
    expect(isErrorBody({ error: 'bad_gateway', message: 'x', hop: 3 })).toBe(false);
    expect(isErrorBody(['meow'])).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });
});
