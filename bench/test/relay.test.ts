import { ERROR_STATUS, expectedStartAnswer, meowOf, OK_STATUS, PING_ANSWERS, ROUTES, SERVICE_NAMES } from '@ping-pong/contract';
import { startLocalChain, type LocalChain } from '@ping-pong/test-support';
import { RELAY_CHAIN } from '../src/local';

describe('the bare relay (the reference of the local and container benches)', () => {
  let relay: LocalChain;
  beforeAll(async () => {
    relay = await startLocalChain(RELAY_CHAIN);
  });
  afterAll(() => relay.stop());

  it('answers /start on the first member with the meows of the others in chain order, like the services', async () => {
    const response = await fetch(`${relay.url}${ROUTES.start}`);
    expect(response.status).toBe(OK_STATUS);
    expect(await response.json()).toEqual(expectedStartAnswer(SERVICE_NAMES, (service) => relay.ports[service]!));
  });

  it('answers /ping as a serving member does, so the bench expects the same body of both', async () => {
    const response = await fetch(`${relay.url}${ROUTES.ping}`);
    expect({ status: response.status, body: await response.text() }).toEqual(PING_ANSWERS.serving);
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
      const response = await fetch(`${chain.url}${ROUTES.start}`);
      expect(response.status).toBe(ERROR_STATUS.bad_gateway);
    } finally {
      await chain.stop();
    }
  });
});
