export { EcsAgent, type RunningTask } from './ecs-agent';
export { ForegroundUp, stopAndRemove, upSocket } from './foreground-up';
export { ensureImages } from './images';
export { down, inventory } from './inventory';
export { LocalLoadBalancer } from './load-balancer';
export { EXAMPLE_SECRETS_FILE, planEnvironment } from './plan';
