import { startupDefaults } from '@ping-pong/test-support';

it('starts as node-ringo, the end of the chain, calling nobody unless NEXT_HOP says otherwise', async () => {
  expect(await startupDefaults('node-ringo')).toEqual({ meow: expect.stringMatching(/^meow from node-ringo:\d+$/), nextHop: null });
});
