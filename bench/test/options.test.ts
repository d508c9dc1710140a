import { ConfigError } from '@ping-pong/tooling';
import { parseOptions } from '../src/options';

describe('parseOptions', () => {
  it('runs the local bench with 32 connections, six 5 s rounds per side and a five-minute soak when nothing is given', () => {
    expect(parseOptions([], {})).toEqual({ mode: 'local', connections: 32, roundSeconds: 5, rounds: 6, soakSeconds: 300 });
  });

  it('takes the mode from the command line and the knobs from BENCH_* variables', () => {
    expect(parseOptions(['soak'], { BENCH_CONNECTIONS: '8', BENCH_DURATION: '5', BENCH_ROUNDS: '1', BENCH_SOAK_SECONDS: ' 60 ' })).toEqual({
      mode: 'soak',
      connections: 8,
      roundSeconds: 5,
      rounds: 1,
      soakSeconds: 60,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(parseOptions(['containers'], { BENCH_ROUNDS: '' }).rounds).toBe(6);
  });

  it.each([
    [['fast'], {}, 'unknown mode "fast"'],
    [['local', 'soak'], {}, 'one mode at a time, got local soak'],
    [['local'], { BENCH_DURATION: '0' }, 'BENCH_DURATION "0": must be a whole number of at least 1'],
    [['local'], { BENCH_CONNECTIONS: '2.5' }, 'BENCH_CONNECTIONS "2.5": must be a whole number of at least 1'],
    [['toString'], {}, 'unknown mode "toString"'],
  ])('refuses %p with %p: %s', (args, env, message) => {
    expect(() => parseOptions(args, env)).toThrow(new ConfigError([message]));
  });
});
