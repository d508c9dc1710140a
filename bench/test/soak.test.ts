import { countTimeWait, intervalSeconds, Intervals, percentile, soakTargets, type IntervalRow } from '../src/soak';

describe('countTimeWait', () => {
  it('counts the sockets in state 06 in /proc/net/tcp and tcp6, whatever their addresses', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 71234 1 0000000000000000 100 0 0 10 0',
      '   1: 0500A8C0:A2B4 0400A8C0:0BB8 06 00000000:00000000 03:00000F9A 00000000     0        0 0 3 0000000000000000',
      '   2: 0500A8C0:A2B6 0400A8C0:0BB8 01 00000000:00000000 00:00000000 00000000   101        0 71299 1 0000000000000000 20 4 30 10 -1',
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0000000000000000FFFF00000500A8C0:1F90 0000000000000000FFFF00000100A8C0:9C40 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
    ].join('\n');
    expect(countTimeWait(text)).toBe(2);
  });
});

describe('the soak intervals', () => {
  it('are minutes for a full soak and a fifth of a short trial', () => {
    expect(intervalSeconds(300)).toBe(60);
    expect(intervalSeconds(30)).toBe(6);
  });

  it('take the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('put each answer, failure and TIME_WAIT sample in the interval it happened in, and drop a partial one at the end', () => {
    const intervals = new Intervals(10);
    intervals.answered(1_000, 200, 5);
    intervals.answered(9_999, 200, 7);
    intervals.answered(12_000, 502, 1);
    intervals.answered(13_000, 200, 9);
    intervals.failed(14_000);
    intervals.sampledTimeWait(2_000, 40);
    intervals.sampledTimeWait(8_000, 30);
    intervals.answered(20_500, 200, 1);
    expect(intervals.rows(20)).toEqual([
      { fromSeconds: 0, toSeconds: 10, requestsPerSecond: 0.2, p50Ms: 5, p99Ms: 7, failures: 0, timeWait: 40 },
      { fromSeconds: 10, toSeconds: 20, requestsPerSecond: 0.2, p50Ms: 9, p99Ms: 9, failures: 2, timeWait: undefined },
    ]);
  });
});

describe('soakTargets', () => {
  const row = (p50Ms: number, timeWait: number): IntervalRow => ({
    fromSeconds: 0,
    toSeconds: 60,
    requestsPerSecond: 500,
    p50Ms,
    p99Ms: p50Ms * 3,
    failures: 0,
    timeWait,
  });

  it('are met with no failures, few TIME_WAIT sockets and a steady p50', () => {
    expect(soakTargets([row(50, 100), row(70, 1999), row(58, 10)], 0).filter((target) => !target.met)).toEqual([]);
  });

  it('are missed when TIME_WAIT piles up or the p50 drifts by more than 20%', () => {
    const [failed, timeWait, drift] = soakTargets([row(55, 3000), row(104, 20_862)], 3);
    expect(failed!.met).toBe(false);
    expect(timeWait).toMatchObject({ actual: 'at most 20,862', met: false });
    expect(drift).toMatchObject({ actual: '55 → 104 ms (+89%)', met: false });
  });
});
