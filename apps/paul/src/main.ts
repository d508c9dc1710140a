import { startService } from '@ping-pong/ping-core';

// node-paul: its name and next hop (node-george) come from the chain contract; the environment overrides either.
void startService('node-paul');
