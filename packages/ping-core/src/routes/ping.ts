import { PING_ANSWERS } from '@ping-pong/contract';
import type { Request, Response } from 'express';
import type { Lifecycle } from '../lifecycle';

/** The load balancer's health check: answers from memory, never calls another service. */
export function ping(lifecycle: Lifecycle) {
  return (_req: Request, res: Response): void => {
    const answer = lifecycle.draining ? PING_ANSWERS.draining : PING_ANSWERS.serving;
    res.type('text/plain').status(answer.status).send(answer.body);
  };
}
