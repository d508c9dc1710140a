import { startService } from '@ping-pong/ping-core';

// node-ringo: its name comes from the chain contract, and it ends the chain unless NEXT_HOP says otherwise.
void startService('node-ringo');
