import { startService } from '@ping-pong/ping-core';

// node-john relays to node-paul; NEXT_HOP overrides where.
void startService({
  serviceName: 'node-john',
  nextHop: 'http://node-paul:3000',
});
