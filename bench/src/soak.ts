import type { EventEmitter } from 'node:events';
import { ROUTES } from '@ping-pong/contract';
import autocannon from 'autocannon';
import type { Cleanup } from './cleanup';
import { noFailures, type Target } from './compare';
import { RECONNECT_EVERY_REQUESTS, sampleOf } from './load';
import type { BenchOptions } from './options';
import { count, ms, table, targetLines } from './report';
import { CONTAINER_START_ANSWER, startProductionStack, type Stack } from './stacks';

/** Issue 13's soak targets. */
const SOAK_TARGETS = { maxTimeWait: 2000, p50Drift: 0.2 };

const TIME_WAIT_EVERY_MS = 5_000;

/** Minutes for the full soak; a short trial still gets five intervals to compare. */
export function intervalSeconds(soakSeconds: number): number {
  return Math.min(60, soakSeconds / 5);
}

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Sockets in TIME_WAIT (state 06) in the text of /proc/net/tcp and /proc/net/tcp6. */
export function countTimeWait(procNetTcp: string): number {
  return procNetTcp.split('\n').filter((line) => line.trim().split(/\s+/)[3] === '06').length;
}

export interface IntervalRow {
  fromSeconds: number;
  toSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** The most sockets seen in TIME_WAIT during the interval (undefined if not sampled). */
  timeWait: number | undefined;
}

/** What happened in each interval of the soak: answers, latencies of the 2xx ones, failures, TIME_WAIT samples. */
export class Intervals {
  private readonly latencies: number[][] = [];
  private readonly answers: number[] = [];
  private readonly failures: number[] = [];
  private readonly timeWait: Array<number | undefined> = [];

  constructor(private readonly seconds: number) {}

  private index(elapsedMs: number): number {
    const index = Math.floor(elapsedMs / 1000 / this.seconds);
    while (this.latencies.length <= index) {
      this.latencies.push([]);
      this.answers.push(0);
      this.failures.push(0);
      this.timeWait.push(undefined);
    }
    return index;
  }

  answered(elapsedMs: number, status: number, latencyMs: number): void {
    const index = this.index(elapsedMs);
    this.answers[index]! += 1;
    if (status >= 200 && status < 300) this.latencies[index]!.push(latencyMs);
    else this.failures[index]! += 1;
  }

  /** A connection error, a timeout, or an answer with the wrong body. */
  failed(elapsedMs: number): void {
    this.failures[this.index(elapsedMs)]! += 1;
  }

  sampledTimeWait(elapsedMs: number, sockets: number): void {
    const index = this.index(elapsedMs);
    this.timeWait[index] = Math.max(this.timeWait[index] ?? 0, sockets);
  }

  /** One row per whole interval; a sliver left over after the last one is dropped. */
  rows(totalSeconds: number): IntervalRow[] {
    const whole = Math.floor(totalSeconds / this.seconds + 1e-9);
    return this.latencies.slice(0, whole).map((latencies, index) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        fromSeconds: index * this.seconds,
        toSeconds: (index + 1) * this.seconds,
        requestsPerSecond: this.answers[index]! / this.seconds,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        failures: this.failures[index]!,
        timeWait: this.timeWait[index],
      };
    });
  }
}

export function soakTargets(rows: readonly IntervalRow[], failures: number): Target[] {
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const maxTimeWait = Math.max(0, ...rows.map((row) => row.timeWait ?? 0));
  const drift = last.p50Ms / first.p50Ms - 1;
  return [
    noFailures('soak', failures),
    {
      what: `gateway TIME_WAIT < ${count(SOAK_TARGETS.maxTimeWait)}`,
      actual: `at most ${count(maxTimeWait)}`,
      met: maxTimeWait < SOAK_TARGETS.maxTimeWait,
    },
    {
      what: `last interval's p50 within ${SOAK_TARGETS.p50Drift * 100}% of the first's`,
      actual: `${ms(first.p50Ms)} → ${ms(last.p50Ms)} ms (${drift >= 0 ? '+' : ''}${Math.round(drift * 100)}%)`,
      met: Math.abs(drift) <= SOAK_TARGETS.p50Drift,
    },
  ];
}

/** Samples the gateway's TIME_WAIT sockets every few seconds until stopped. */
function sampleTimeWait(stack: Stack, intervals: Intervals, started: number): () => Promise<void> {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const text = await stack.execInGateway(['cat', '/proc/net/tcp', '/proc/net/tcp6']);
      intervals.sampledTimeWait(performance.now() - started, countTimeWait(text));
      await new Promise((resolve) => setTimeout(resolve, TIME_WAIT_EVERY_MS));
    }
  })();
  // A failed sample ends the sampling and is thrown by the stop below, not as an
  // unhandled rejection mid-soak, which would end the bench before its clean-up.
  done.catch(() => {});
  return async () => {
    stopped = true;
    await done;
  };
}

/** Saturating load through docker-compose.prod.yml's gateway for BENCH_SOAK_SECONDS. */
export async function soak(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const stack = await startProductionStack(cleanup);
  const seconds = intervalSeconds(options.soakSeconds);
  console.log(
    `\nSoak: GET ${ROUTES.start} through the gateway, ${options.connections} connections for ${options.soakSeconds} s, ` +
      `reported per ${seconds} s; the gateway's TIME_WAIT sockets sampled every ${TIME_WAIT_EVERY_MS / 1000} s...`,
  );
  const intervals = new Intervals(seconds);
  const started = performance.now();
  const stopSampling = sampleTimeWait(stack, intervals, started);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${stack.url}${ROUTES.start}`,
        connections: options.connections,
        duration: options.soakSeconds,
        reconnectRate: RECONNECT_EVERY_REQUESTS,
        expectBody: CONTAINER_START_ANSWER,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, status: number, _bytes, latencyMs: number) =>
      intervals.answered(performance.now() - started, status, latencyMs),
    );
    instance.on('reqError', () => intervals.failed(performance.now() - started));
    // @types/autocannon lacks the event autocannon emits for an answer with the wrong body.
    (instance as unknown as EventEmitter).on('reqMismatch', () => intervals.failed(performance.now() - started));
  });
  await stopSampling();

  const rows = intervals.rows(options.soakSeconds);
  console.log(
    `\n${table(
      ['interval', 'requests/s', 'p50 ms', 'p99 ms', 'failed', 'TIME_WAIT'],
      rows.map((row) => [
        `${row.fromSeconds}–${row.toSeconds} s`,
        count(row.requestsPerSecond),
        ms(row.p50Ms),
        ms(row.p99Ms),
        count(row.failures),
        row.timeWait === undefined ? '' : count(row.timeWait),
      ]),
    )}`,
  );
  const total = sampleOf(result);
  console.log(`\nwhole soak: ${count(total.requestsPerSecond)} requests/s, p50 ${ms(total.p50Ms)} ms, p99 ${ms(total.p99Ms)} ms\n`);
  console.log(targetLines(soakTargets(rows, total.failures)));
  return total.failures;
}
