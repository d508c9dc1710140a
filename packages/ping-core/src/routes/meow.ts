import type { Request, Response } from 'express';
import type { Config } from '../config';

export function meowOf(config: Config): string {
  return `meow from ${config.serviceName}:${config.port}`;
}

export function meow(config: Config) {
  const body = JSON.stringify(meowOf(config));
  return (_req: Request, res: Response): void => {
    res.type('application/json').send(body);
  };
}
