import { startService } from '@ping-pong/ping-core';

// node-paul relays to node-george; NEXT_HOP overrides where.
void startService({
  serviceName: 'node-paul',
  nextHop: 'http://node-george:3000',
});
