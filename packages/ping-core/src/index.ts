export { createApp, createDeps, type AppDeps } from './app';
export { ConfigError, loadConfig, type Config, type ServiceDefaults } from './config';
export { HttpError, type ErrorBody, type ErrorCode } from './errors';
export { createHopClient, HopCallError, type HopClient, type Lookup } from './http-client';
export { createLifecycle, type Lifecycle } from './lifecycle';
export { createLogger, type Logger } from './logger';
export { createMetrics, type Metrics } from './metrics';
export { listen, startService, type RunningService } from './server';
