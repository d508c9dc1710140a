/**
 * Loads GET /start and prints requests/s, latency and errors.
 *
 * Without BENCH_URL it starts the four services from their production builds
 * as separate processes on free ports, wired into the chain; with BENCH_URL
 * (e.g. http://localhost:8080/start) it loads whatever is running there.
 */
import { startLocalChain } from '@ping-pong/test-support';
import autocannon from 'autocannon';

const TARGET = { requestsPerSecond: 900, p99Ms: 60 };

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const connections = positiveInteger('BENCH_CONNECTIONS', 32);
  const duration = positiveInteger('BENCH_DURATION', 15);
  // Logs are written at LOG_LEVEL (info unless set) as in production, then discarded.
  const chain = process.env.BENCH_URL
    ? undefined
    : await startLocalChain({ env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }, stdout: 'ignore' });
  const url = process.env.BENCH_URL ?? `${chain!.url}/start`;
  console.log(`Loading GET ${url} with ${connections} connections for ${duration} s${chain ? ' (four local processes)' : ''}...`);
  try {
    // A short warm-up so JIT and connection pools are settled before measuring.
    await autocannon({ url, connections, duration: 2 });
    const result = await autocannon({ url, connections, duration });
    const failed = result.errors + result.timeouts + result.non2xx;
    console.table({
      'GET /start': {
        'requests/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'max ms': result.latency.max,
        requests: result.requests.total,
        failed,
      },
    });
    const met = failed === 0 && result.requests.average >= TARGET.requestsPerSecond && result.latency.p99 < TARGET.p99Ms;
    console.log(
      `Target (0 failed, >= ${TARGET.requestsPerSecond} requests/s, p99 < ${TARGET.p99Ms} ms): ${met ? 'met' : 'missed'}` +
        (failed > 0 ? ` — ${result.errors} connection errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers` : ''),
    );
    process.exitCode = failed > 0 ? 1 : 0;
  } finally {
    await chain?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
