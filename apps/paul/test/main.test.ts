import { startupDefaults } from '@ping-pong/test-support';

it('starts as node-paul, relaying to node-george on the container port unless NEXT_HOP says otherwise', async () => {
  expect(await startupDefaults('node-paul')).toEqual({
    meow: expect.stringMatching(/^meow from node-paul:\d+$/),
    nextHop: 'http://node-george:3000/',
  });
});
