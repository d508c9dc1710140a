import type { Request, Response } from 'express';
import type { Metrics } from '../metrics';

export function metricsRoute(metrics: Metrics) {
  return async (_req: Request, res: Response): Promise<void> => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
