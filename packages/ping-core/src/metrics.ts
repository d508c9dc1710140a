import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** One request served: http_request_duration_seconds. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One call to the next hop: downstream_request_duration_seconds. */
  observeDownstream(hop: string, outcome: string, seconds: number): void;
}

/**
 * A histogram observed through children bound to their labels, one per label
 * combination, created the first time its key is seen: prom-client then
 * skips building an observer and reading a labels object on every call.
 */
class BoundHistogram<Label extends string> {
  private readonly children = new Map<string, Histogram.Internal<Label>>();

  constructor(private readonly histogram: Histogram<Label>) {}

  /** `key` stands for `labels`, which are only read the first time the key is seen. */
  observe(key: string, labels: Record<Label, string | number>, seconds: number): void {
    let child = this.children.get(key);
    if (!child) {
      child = this.histogram.labels(labels);
      this.children.set(key, child);
    }
    child.observe(seconds);
  }
}

/** One registry per app, so tests can run several services in one process. */
export function createMetrics(serviceName: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  // Its _count series is the request count, so no separate counter.
  const requestDuration = new BoundHistogram(
    new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets,
      registers: [registry],
    }),
  );
  const downstreamDuration = new BoundHistogram(
    new Histogram({
      name: 'downstream_request_duration_seconds',
      help: 'Duration of calls to the next hop, by hop and outcome',
      labelNames: ['hop', 'outcome'] as const,
      buckets,
      registers: [registry],
    }),
  );
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requestDuration.observe(`${method} ${status} ${route}`, { method, route, status }, seconds);
    },
    observeDownstream(hop, outcome, seconds) {
      downstreamDuration.observe(`${outcome} ${hop}`, { hop, outcome }, seconds);
    },
  };
}
