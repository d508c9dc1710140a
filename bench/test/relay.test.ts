import { expectedStartAnswer, meowOf, ROUTES, SERVICE_NAMES } from '@ping-pong/contract';
import { startLocalChain, type LocalChain } from '@ping-pong/test-support';
import { RELAY_CHAIN } from '../src/local';

describe('the bare relay (the reference of the local and container benches)', () => {
  let relay: LocalChain;
  beforeAll(async () => {
    relay = await startLocalChain(RELAY_CHAIN);
  });
  afterAll(() => relay.stop());

  it('answers /start on the first member with the meows of the others in chain order, like the services', async () => {
    const response = await fetch(`${relay.url}/start`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expectedStartAnswer(SERVICE_NAMES, (service) => relay.ports[service]!));
  });

  it('answers the hop route with its own meow first', async () => {
    const last = SERVICE_NAMES.at(-1)!;
    const response = await fetch(`http://127.0.0.1:${relay.ports[last]}${ROUTES.hop}`);
    expect(await response.json()).toEqual([meowOf(last, relay.ports[last]!)]);
  });

  it('answers 502 when the next member is gone, instead of hanging', async () => {
    const chain = await startLocalChain(RELAY_CHAIN);
    try {
      await chain.processes[SERVICE_NAMES.at(-1)!]!.stop();
      const response = await fetch(`${chain.url}/start`);
      expect(response.status).toBe(502);
    } finally {
      await chain.stop();
    }
  });
});
