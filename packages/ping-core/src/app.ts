import { HEADERS, ROUTES, type ErrorBody, type RouteName } from '@ping-pong/contract';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Response } from 'express';
import type { Config } from './config';
import { HttpError } from './errors';
import { createHopClient, type HopClient } from './http-client';
import { createLifecycle, type Lifecycle } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { createRelay } from './relay';
import { locals, requestContext } from './request-context';
import { hop, start } from './routes/chain';
import { securityHeaders } from './security-headers';
import { meow } from './routes/meow';
import { metricsRoute } from './routes/metrics';
import { ping } from './routes/ping';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  hopClient: HopClient;
  lifecycle: Lifecycle;
}

export function createDeps(config: Config, overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    logger: overrides.logger ?? createLogger(config),
    metrics: overrides.metrics ?? createMetrics(config.serviceName),
    hopClient: overrides.hopClient ?? createHopClient(),
    lifecycle: overrides.lifecycle ?? createLifecycle(),
  };
}

/** No route takes a body; anything larger than this is refused with 413. */
const MAX_BODY = '16kb';

/** Builds the service without listening, so tests can drive it with supertest. */
export function createApp(config: Config, deps: AppDeps): Express {
  const { logger, metrics, hopClient, lifecycle } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  closeConnectionsWhileDraining(app, lifecycle);
  app.use(requestContext(logger, metrics));
  app.use(securityHeaders());
  if (config.corsOrigins.length > 0) {
    const origin = config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins];
    app.use(cors({ origin, methods: ['GET', 'HEAD'], exposedHeaders: [HEADERS.requestId], maxAge: 600 }));
  }
  app.use(express.raw({ type: () => true, limit: MAX_BODY }));

  const relay = createRelay(config, hopClient, metrics);
  // Every route of the contract, each once (the type says so). Express tries
  // routes in order, so the busy ones come first; one route per path, its methods inside.
  const handlers: Record<RouteName, RequestHandler> = {
    hop: hop(config, relay),
    start: start(config, relay),
    ping: ping(lifecycle),
    meow: meow(config),
    metrics: metricsRoute(metrics),
  };
  for (const [name, handler] of Object.entries(handlers)) {
    const path = ROUTES[name as RouteName];
    app
      .route(path)
      .get(handler)
      .all((_req, res) => {
        res.setHeader('Allow', 'GET, HEAD');
        throw new HttpError('method_not_allowed', `${path} only answers GET and HEAD`);
      });
  }
  app.use((req) => {
    throw new HttpError('not_found', `no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return app;
}

/**
 * A process that started draining closes each connection after its answer
 * (`Connection: close`), also for requests already in flight when draining
 * began, so the check runs as the headers are written. It sits on this app's
 * response prototype, so no request pays for a wrapper of its own.
 */
function closeConnectionsWhileDraining(app: Express, lifecycle: Lifecycle): void {
  const writeHead = app.response.writeHead as (this: Response, ...args: unknown[]) => Response;
  app.response.writeHead = function writeHeadClosingWhileDraining(this: Response, ...args: unknown[]) {
    if (lifecycle.draining) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args);
  } as Response['writeHead'];
}

/** The only place where an error becomes a response. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const httpError = asResponseError(error);
    const { requestId } = locals(res);
    if (httpError.status >= 500) {
      logger.warn({ requestId, err: httpError.cause ?? httpError, error: httpError.code, hop: httpError.hop }, httpError.message);
    }
    if (res.headersSent) return void res.destroy();
    const body: ErrorBody = { error: httpError.code, message: httpError.message, requestId };
    if (httpError.hop) body.hop = httpError.hop;
    res.status(httpError.status).json(body);
  };
}

/** Any error a request raised, as the HttpError to answer with. */
function asResponseError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // body-parser's errors (http-errors) say what went wrong, and `expose` marks the caller's fault.
  const { type, expose } = (error ?? {}) as { type?: unknown; expose?: unknown };
  if (type === 'entity.too.large') return new HttpError('payload_too_large', `request bodies are limited to ${MAX_BODY}`);
  if (expose === true) return new HttpError('bad_request', 'the request could not be read');
  return new HttpError('internal_error', 'unexpected error', undefined, { cause: error });
}
