import { percent, times } from './report';

/** One measured run of the load generator against one stack. */
export interface Sample {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors, timeouts, non-2xx answers and answers with the wrong body. */
  failures: number;
}

/** One side of a comparison: its unmeasured warm-up (whose failures still count) and its measured rounds. */
export interface Side {
  warmUp: Sample;
  rounds: Sample[];
}

/** The median round of a side; failures and requests are totals. */
export interface Summary extends Sample {
  rounds: number;
}

export interface Comparison {
  subject: Summary;
  reference: Summary;
  /** subject / reference requests/s: the median over rounds measured next to each other. */
  throughputRatio: number;
  /** subject / reference p99: the median over rounds measured next to each other. */
  p99Ratio: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('the median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function summarize({ warmUp, rounds }: Side): Summary {
  return {
    rounds: rounds.length,
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    requests: sum(rounds.map((round) => round.requests)),
    failures: warmUp.failures + sum(rounds.map((round) => round.failures)),
  };
}

/**
 * Round i of the subject ran next to round i of the reference, so each pair
 * saw about the same machine; the median of the pairs' ratios is the figure
 * that holds on a noisy machine.
 */
export function compare(subject: Side, reference: Side): Comparison {
  if (subject.rounds.length !== reference.rounds.length || subject.rounds.length === 0) {
    throw new Error(`rounds must pair up, got ${subject.rounds.length} and ${reference.rounds.length}`);
  }
  const pairs = subject.rounds.map((round, index) => [round, reference.rounds[index]!] as const);
  return {
    subject: summarize(subject),
    reference: summarize(reference),
    throughputRatio: median(pairs.map(([ours, theirs]) => ours.requestsPerSecond / theirs.requestsPerSecond)),
    p99Ratio: median(pairs.map(([ours, theirs]) => ours.p99Ms / theirs.p99Ms)),
  };
}

/** A target from issue 13, as the bench reports it. */
export interface Target {
  what: string;
  actual: string;
  met: boolean;
}

export function throughputAtLeast(label: string, comparison: Comparison, minimum: number): Target {
  return {
    what: `${label}: requests/s ≥ ${percent(minimum)} of the reference's`,
    actual: percent(comparison.throughputRatio),
    met: comparison.throughputRatio >= minimum,
  };
}

export function p99AtMost(label: string, comparison: Comparison, maximum: number): Target {
  return {
    what: `${label}: p99 ≤ ${times(maximum)} the reference's`,
    actual: times(comparison.p99Ratio),
    met: comparison.p99Ratio <= maximum,
  };
}

export function noFailures(label: string, failures: number): Target {
  return { what: `${label}: 0 failed`, actual: `${failures} failed`, met: failures === 0 };
}
