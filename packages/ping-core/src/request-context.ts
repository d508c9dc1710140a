import { randomUUID } from 'node:crypto';
import { HEADERS, REQUEST_ID_PATTERN } from '@ping-pong/contract';
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/** What every handler can rely on, kept in res.locals. */
export interface RequestLocals {
  requestId: string;
  log: Logger;
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
 */
export function requestContext(logger: Logger, metrics: Metrics, isDraining: () => boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const id = requestIdOf(req);
    res.locals.requestId = id;
    res.locals.log = logger.child({ requestId: id });
    res.setHeader('X-Request-Id', id);
    // A process that started draining while this request ran closes the connection after answering.
    onHeaders(res, () => {
      if (isDraining()) res.setHeader('Connection', 'close');
    });
    res.once('finish', () => {
      const durationMs = performance.now() - started;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.requestDuration.observe({ method: req.method, route, status: res.statusCode }, durationMs / 1000);
      locals(res).log.info(
        { method: req.method, path: req.path, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
