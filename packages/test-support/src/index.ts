export { memberEntry, startLocalChain, startupDefaults, type LocalChain, type LocalChainOptions } from './local-chain';
export { freePort } from './ports';
export { SOURCE_NODE_ARGS } from './source';
export { startNode, type Exit, type ProcessOptions, type RunningProcess } from './process';
export { answersOk, pollUntil, waitUntilReady } from './waiting';
