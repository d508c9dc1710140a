import { compare, median, noFailures, p99AtMost, throughputAtLeast, type Sample, type Side } from '../src/compare';

const sample = (requestsPerSecond: number, p99Ms: number, failures = 0): Sample => ({
  requestsPerSecond,
  p50Ms: p99Ms / 4,
  p99Ms,
  requests: requestsPerSecond * 10,
  failures,
});
const side = (rounds: Sample[], warmUpFailures = 0): Side => ({ warmUp: sample(1, 1, warmUpFailures), rounds });

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('compare', () => {
  it('takes the ratio round by round, so a round where the machine was busy for both does not skew it', () => {
    // The machine halved its speed during round 2; the subject runs at 60% of the reference throughout.
    const comparison = compare(
      side([sample(600, 20), sample(300, 40), sample(600, 20)]),
      side([sample(1000, 10), sample(500, 20), sample(1000, 10)]),
    );
    expect(comparison.throughputRatio).toBeCloseTo(0.6);
    expect(comparison.p99Ratio).toBeCloseTo(2);
    expect(comparison.subject.requestsPerSecond).toBe(600);
  });

  it('counts the failures of every round and of the warm-up', () => {
    const comparison = compare(side([sample(1, 1, 2), sample(1, 1, 3)], 1), side([sample(1, 1), sample(1, 1)]));
    expect(comparison.subject.failures).toBe(6);
    expect(comparison.reference.failures).toBe(0);
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => compare(side([sample(1, 1)]), side([]))).toThrow('rounds must pair up, got 1 and 0');
  });
});

describe('targets', () => {
  const comparison = compare(side([sample(480, 30)]), side([sample(1000, 10)]));

  it('report the ratio and whether it meets the target', () => {
    expect(throughputAtLeast('/start', comparison, 0.5)).toEqual({
      what: "/start: requests/s ≥ 50% of the reference's",
      actual: '48%',
      met: false,
    });
    expect(p99AtMost('/start', comparison, 2.5)).toEqual({ what: "/start: p99 ≤ 2.50× the reference's", actual: '3.00×', met: false });
    expect(throughputAtLeast('/ping', comparison, 0.4).met).toBe(true);
  });

  it('count any failed request as a miss', () => {
    expect(noFailures('soak', 0).met).toBe(true);
    expect(noFailures('soak', 1)).toEqual({ what: 'soak: 0 failed', actual: '1 failed', met: false });
  });
});
