import { randomUUID } from 'node:crypto';
import { HEADERS, REQUEST_ID_PATTERN } from '@ping-pong/contract';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/** What every handler can rely on, kept in res.locals. */
export interface RequestLocals {
  requestId: string;
  /** performance.now() when the request arrived. */
  started: number;
}

function requestIdOf(req: Request): string {
  const offered = req.headers[HEADERS.requestId];
  return typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
}

export function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}

/**
 * First middleware: gives the request its id (on the response and on every
 * log line), and when the response is done writes the one access log line and
 * the duration metric. The route label is the matched route, never the raw
 * path, so unknown URLs cannot blow up the metric's cardinality.
 *
 * Per request it allocates only the id and the log line: no child logger,
 * and one shared 'finish' listener (EventEmitter calls it with the response
 * as `this`) instead of a closure.
 */
export function requestContext(logger: Logger, metrics: Metrics) {
  function finished(this: Response): void {
    const { requestId, started } = locals(this);
    const req = this.req;
    const durationMs = performance.now() - started;
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    metrics.observeRequest(req.method, route, this.statusCode, durationMs / 1000);
    logger.info(
      { requestId, method: req.method, path: req.path, status: this.statusCode, durationMs: Math.round(durationMs * 10) / 10 },
      'request',
    );
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    const context = locals(res);
    context.started = performance.now();
    context.requestId = requestIdOf(req);
    res.setHeader(HEADERS.requestId, context.requestId);
    res.on('finish', finished);
    next();
  };
}
