export { agentSocket, ForegroundAgent, stopAndRemove } from './agent';
export { ensureImages } from './images';
export { down, inventory } from './inventory';
export { EXAMPLE_SECRETS_FILE, planEnvironment } from './plan';
export { LocalCluster, type RunningTask } from './runner';
