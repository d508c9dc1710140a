import { startService } from '@ping-pong/ping-core';

// node-george: its name and next hop (node-ringo) come from the chain contract; the environment overrides either.
void startService('node-george');
