import type { Request, Response } from 'express';
import type { Config } from '../config';
import type { HopClient } from '../http-client';
import type { Metrics } from '../metrics';
import { receivedContext, relayToNextHop, startContext } from '../relay';
import { locals } from '../request-context';
import { meowOf } from '@ping-pong/contract';

/** GET /start: where a chain begins; answers the meows of every service after this one. */
export function start(config: Config, client: HopClient, metrics: Metrics) {
  return async (_req: Request, res: Response): Promise<void> => {
    res.json(await relayToNextHop(config, client, metrics, startContext(config, locals(res).requestId)));
  };
}

/** GET /hop: one step of a chain; answers this service's meow followed by those after it. */
export function hop(config: Config, client: HopClient, metrics: Metrics) {
  const ownMeow = meowOf(config.serviceName, config.port);
  return async (req: Request, res: Response): Promise<void> => {
    const after = await relayToNextHop(config, client, metrics, receivedContext(config, req, locals(res).requestId));
    res.json([ownMeow, ...after]);
  };
}
