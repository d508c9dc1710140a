import { startService } from '@ping-pong/ping-core';

// node-ringo ends the chain: no next hop unless NEXT_HOP says otherwise.
void startService({
  serviceName: 'node-ringo',
});
