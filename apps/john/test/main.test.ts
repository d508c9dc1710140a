import { startupDefaults } from '@ping-pong/test-support';

it('starts as node-john, relaying to node-paul on the container port unless NEXT_HOP says otherwise', async () => {
  expect(await startupDefaults('node-john')).toEqual({
    meow: expect.stringMatching(/^meow from node-john:\d+$/),
    nextHop: 'http://node-paul:3000/',
  });
});
