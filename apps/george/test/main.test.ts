import { startupDefaults } from '@ping-pong/test-support';

it('starts as node-george, relaying to node-ringo on the container port unless NEXT_HOP says otherwise', async () => {
  expect(await startupDefaults('node-george')).toEqual({
    meow: expect.stringMatching(/^meow from node-george:\d+$/),
    nextHop: 'http://node-ringo:3000/',
  });
});
