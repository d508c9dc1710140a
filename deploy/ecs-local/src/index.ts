export { ensureImages } from './images';
export { down } from './inventory';
export { EXAMPLE_SECRETS_FILE, planEnvironment } from './plan';
export { LocalCluster, type RunningTask } from './runner';
