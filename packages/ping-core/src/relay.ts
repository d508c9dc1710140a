import { HEADERS, isChainFailure, OK_STATUS, ROUTES } from '@ping-pong/contract';
import type { Request } from 'express';
import type { Config } from './config';
import { HttpError } from './errors';
import { HopCallError, hopTarget, type HopClient } from './http-client';
import type { Metrics } from './metrics';

/**
 * Each hop hands the next one a little less time than it waits itself, so the
 * hop nearest a slow service times out first and names it, and the answer
 * travels back up before the callers' own timers fire.
 */
export const HOP_MARGIN_MS = 100;

/** Where a request is in the chain: how many hops it has made and when it must be answered. */
export interface HopContext {
  readonly requestId: string;
  readonly hopCount: number;
  /** performance.now() time by which the answer must be back. */
  readonly deadline: number;
}

/** A chain starts here: the full budget and no hops made. */
export function startContext(config: Config, requestId: string): HopContext {
  return { requestId, hopCount: 0, deadline: performance.now() + config.requestDeadlineMs };
}

/** The context a hop receives from the one before it; the budget is relative, so clocks need not agree. */
export function receivedContext(config: Config, req: Request, requestId: string): HopContext {
  const hopCount = parseHeaderInteger(req, HEADERS.hopCount, 0);
  const budget = Math.min(parseHeaderInteger(req, HEADERS.deadline, config.requestDeadlineMs), config.requestDeadlineMs);
  return { requestId, hopCount, deadline: performance.now() + budget };
}

function parseHeaderInteger(req: Request, name: string, fallback: number): number {
  const raw = req.headers[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) throw new HttpError('bad_request', `${name} must be a non-negative integer`);
  return Number(raw);
}

/** Returns the meows of every service after this one, for a request at `context`. */
export type Relay = (context: HopContext) => Promise<string[]>;

/**
 * Calls the next hop and returns the meows of every service after this one.
 * Every failure becomes an HttpError naming the hop where it happened; an
 * error answered by a hop further down is passed back unchanged. Where the
 * call goes is worked out once, here, not per request.
 */
export function createRelay(config: Config, client: HopClient, metrics: Metrics): Relay {
  const nextHop = config.nextHop;
  if (!nextHop) return async () => [];
  const hop = nextHop.hostname;
  const target = hopTarget(new URL(ROUTES.hop, nextHop));

  return async (context) => {
    if (context.hopCount + 1 > config.maxHops) {
      throw new HttpError('loop_detected', `the chain passed ${config.maxHops} hops before ${hop}; NEXT_HOP wiring loops`, hop);
    }
    const remaining = Math.floor(context.deadline - performance.now());
    if (remaining <= HOP_MARGIN_MS) {
      throw new HttpError('gateway_timeout', `no time was left to call ${hop} within the request deadline`, hop);
    }

    const started = performance.now();
    let outcome = 'ok';
    try {
      const response = await client.getJson(target, {
        timeoutMs: remaining,
        headers: {
          [HEADERS.requestId]: context.requestId,
          [HEADERS.hopCount]: String(context.hopCount + 1),
          [HEADERS.deadline]: String(remaining - HOP_MARGIN_MS),
        },
      });
      return meowsFrom(response.status, response.body, hop);
    } catch (error) {
      outcome = error instanceof HttpError ? `status_${error.status}` : error instanceof HopCallError ? error.failure : 'error';
      throw hopError(error, hop);
    } finally {
      metrics.observeDownstream(hop, outcome, (performance.now() - started) / 1000);
    }
  };
}

function meowsFrom(status: number, body: unknown, hop: string): string[] {
  if (status === OK_STATUS && Array.isArray(body) && body.every((item) => typeof item === 'string')) return body;
  // A chain failure further down keeps its code, and so its status, and the hop it names.
  if (isChainFailure(status, body)) throw new HttpError(body.error, body.message, body.hop);
  throw new HttpError('bad_gateway', `${hop} answered ${status} with an unexpected body`, hop);
}

/** A failed call to the next hop, as the error that names it. */
function hopError(error: unknown, hop: string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof HopCallError) {
    const code = error.failure === 'timeout' ? 'gateway_timeout' : 'bad_gateway';
    return new HttpError(code, `${hop} ${error.message}`, hop, { cause: error });
  }
  return new HttpError('bad_gateway', `calling ${hop} failed`, hop, { cause: error });
}
