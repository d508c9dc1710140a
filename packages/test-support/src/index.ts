export { builtDefaults, memberEntry, startLocalChain, type LocalChain, type LocalChainOptions } from './local-chain';
export { freePort } from './ports';
export { startNode, type Exit, type ProcessOptions, type RunningProcess } from './process';
export { answersOk, pollUntil, waitUntilReady } from './waiting';
