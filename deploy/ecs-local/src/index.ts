export { ensureImages } from './images';
export { down } from './inventory';
export { EXAMPLE_SECRETS_FILE, planEnvironment } from './plan';
export { LocalEnvironment, type RunningTask } from './runner';
