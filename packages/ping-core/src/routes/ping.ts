import type { Request, Response } from 'express';
import type { Lifecycle } from '../lifecycle';

/** The load balancer's health check: answers from memory, never calls another service. */
export function ping(lifecycle: Lifecycle) {
  return (_req: Request, res: Response): void => {
    res.type('text/plain');
    if (lifecycle.draining) res.status(503).send('draining');
    else res.send('pong');
  };
}
