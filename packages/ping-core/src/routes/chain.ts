import { meowOf } from '@ping-pong/contract';
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { receivedContext, startContext, type Relay } from '../relay';
import { locals } from '../request-context';

/**
 * Answers 200 with a body that is JSON already. What res.json would send
 * (type with charset, length), without its per-response settings lookups
 * and content-type parsing.
 */
function sendJson(res: Response, json: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/** GET /start: where a chain begins; answers the meows of every service after this one. */
export function start(config: Config, relay: Relay) {
  return async (_req: Request, res: Response): Promise<void> => {
    sendJson(res, JSON.stringify(await relay(startContext(config, locals(res).requestId))));
  };
}

/** GET /hop: one step of a chain; answers this service's meow followed by those after it. */
export function hop(config: Config, relay: Relay) {
  const ownMeow = meowOf(config.serviceName, config.port);
  return async (req: Request, res: Response): Promise<void> => {
    const after = await relay(receivedContext(config, req, locals(res).requestId));
    sendJson(res, JSON.stringify([ownMeow, ...after]));
  };
}
