import { meowOf } from '@ping-pong/contract';
import type { Request, Response } from 'express';
import type { Config } from '../config';

export function meow(config: Config) {
  const body = JSON.stringify(meowOf(config.serviceName, config.port));
  return (_req: Request, res: Response): void => {
    res.type('application/json').send(body);
  };
}
