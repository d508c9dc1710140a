import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly downstreamDuration: Histogram<'hop' | 'outcome'>;
}

/** One registry per app, so tests can run several services in one process. */
export function createMetrics(serviceName: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  return {
    registry,
    // Its _count series is the request count, so no separate counter.
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets,
      registers: [registry],
    }),
    downstreamDuration: new Histogram({
      name: 'downstream_request_duration_seconds',
      help: 'Duration of calls to the next hop, by hop and outcome',
      labelNames: ['hop', 'outcome'] as const,
      buckets,
      registers: [registry],
    }),
  };
}
