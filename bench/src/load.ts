import autocannon from 'autocannon';
import type { Sample, Side } from './compare';
import type { BenchOptions } from './options';
import { ms, count } from './report';

/** One URL to load; every answer must be 2xx and, if given, exactly `expectBody`. */
export interface Scenario {
  url: string;
  expectBody?: string;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
}

/** Unmeasured load before the measured rounds, so JIT, pools and caches are settled on both sides. */
export const WARM_UP_SECONDS = 3;

/**
 * Every connection is replaced after this many requests, before a server does
 * it (nginx closes a keep-alive connection after 1,000). autocannon 8 keeps
 * the request it wrote onto a connection the server then closed at the head
 * of that connection's queue, so each later latency is measured from an older
 * request: over a five-minute soak the reported p50 climbed by about one
 * request time per server-side close (27 → 170 ms) while an independent client
 * saw a flat 30 ms. A reset from autocannon's own side clears the queue; the
 * answer that triggers it goes uncounted (1 in 500, alike on both sides).
 */
export const RECONNECT_EVERY_REQUESTS = 500;

export function sampleOf(result: autocannon.Result): Sample {
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    // autocannon counts a timeout as an error too.
    failures: result.errors + result.non2xx + result.mismatches,
  };
}

/** Saturating load: every connection sends its next request as soon as the last one is answered. */
export async function load(scenario: Scenario, { connections, seconds }: LoadOptions): Promise<Sample> {
  const result = await autocannon({
    url: scenario.url,
    connections,
    duration: seconds,
    reconnectRate: RECONNECT_EVERY_REQUESTS,
    ...(scenario.expectBody === undefined ? {} : { expectBody: scenario.expectBody }),
  });
  return sampleOf(result);
}

/**
 * Warms both up, then runs `rounds` measured rounds of each, subject and
 * reference back to back in alternating order (S R, R S, S R, …), so noise on
 * the machine and any drift hit both alike.
 */
export async function alternate(
  subject: Scenario,
  reference: Scenario,
  { connections, rounds, roundSeconds }: Pick<BenchOptions, 'connections' | 'rounds' | 'roundSeconds'>,
  progress: (line: string) => void,
): Promise<{ subject: Side; reference: Side }> {
  const warmUp = { connections, seconds: WARM_UP_SECONDS };
  const round = { connections, seconds: roundSeconds };
  const sides = {
    subject: { warmUp: await load(subject, warmUp), rounds: [] as Sample[] },
    reference: { warmUp: await load(reference, warmUp), rounds: [] as Sample[] },
  };
  for (let index = 0; index < rounds; index++) {
    const order = index % 2 === 0 ? (['subject', 'reference'] as const) : (['reference', 'subject'] as const);
    for (const side of order) sides[side].rounds.push(await load(side === 'subject' ? subject : reference, round));
    const [ours, theirs] = [sides.subject.rounds[index]!, sides.reference.rounds[index]!];
    progress(
      `  round ${index + 1}/${rounds}: subject ${count(ours.requestsPerSecond)}/s p99 ${ms(ours.p99Ms)} ms, ` +
        `reference ${count(theirs.requestsPerSecond)}/s p99 ${ms(theirs.p99Ms)} ms`,
    );
  }
  return sides;
}
