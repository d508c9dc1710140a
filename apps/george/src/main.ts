import { startService } from '@ping-pong/ping-core';

// node-george relays to node-ringo; NEXT_HOP overrides where.
void startService({
  serviceName: 'node-george',
  nextHop: 'http://node-ringo:3000',
});
