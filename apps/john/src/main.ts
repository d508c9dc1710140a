import { startService } from '@ping-pong/ping-core';

// node-john: its name and next hop (node-paul) come from the chain contract; the environment overrides either.
void startService('node-john');
