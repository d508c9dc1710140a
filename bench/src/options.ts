import { ConfigError, parseWholeNumber } from '@ping-pong/tooling';

/** What `npm run bench -- <mode>` runs, and the knobs it takes from the environment. */
const MODES = {
  local: 'the four services as local processes vs the bare relay as local processes',
  containers:
    'docker-compose.prod.yml through its gateway vs the bare relay in containers behind a minimal nginx; then both past their gateways',
  soak: 'saturating load through the production-like gateway for BENCH_SOAK_SECONDS, reported per minute',
  profile: 'CPU profiles, event-loop delay and GC pauses of the local services under load',
} as const;

export type Mode = keyof typeof MODES;

export interface BenchOptions {
  mode: Mode;
  /** Concurrent connections of the load generator. */
  connections: number;
  /** Length of one measured round, in seconds. */
  roundSeconds: number;
  /** Rounds per side; subject and reference alternate. */
  rounds: number;
  /** The soak's length, in seconds. */
  soakSeconds: number;
}

export const USAGE = [
  'usage: npm run bench -- [mode]        (default: local)',
  '',
  ...Object.entries(MODES).map(([mode, what]) => `  ${mode.padEnd(11)} ${what}`),
  '',
  'environment: BENCH_CONNECTIONS (32), BENCH_DURATION (seconds per round, 5), BENCH_ROUNDS (per side, 6),',
  '             BENCH_SOAK_SECONDS (300)',
].join('\n');

/** A BENCH_* knob: surrounding blanks are dropped, and an empty variable counts as unset. */
function knob(env: Record<string, string | undefined>, name: string, fallback: number): number {
  return parseWholeNumber(name, env[name]?.trim() || undefined) ?? fallback;
}

function isMode(value: string): value is Mode {
  return Object.hasOwn(MODES, value);
}

export function parseOptions(args: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  if (args.length > 1) throw new ConfigError([`one mode at a time, got ${args.join(' ')}`]);
  const mode = args[0] ?? 'local';
  if (!isMode(mode)) throw new ConfigError([`unknown mode ${JSON.stringify(mode)}`]);
  return {
    mode,
    connections: knob(env, 'BENCH_CONNECTIONS', 32),
    roundSeconds: knob(env, 'BENCH_DURATION', 5),
    rounds: knob(env, 'BENCH_ROUNDS', 6),
    soakSeconds: knob(env, 'BENCH_SOAK_SECONDS', 300),
  };
}
