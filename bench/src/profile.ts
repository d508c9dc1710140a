import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '@ping-pong/contract';
import type { Cleanup } from './cleanup';
import { load } from './load';
import { logFile, startChain, startScenario } from './local';
import type { BenchOptions } from './options';
import { summarizeProfile, type CpuProfile, type Share } from './profile-summary';
import { count, ms, table } from './report';

const OBSERVE_LOOP = path.resolve(__dirname, 'observe-loop.cjs');
/** The members whose profiles are summarised: the first (serves /start) and a middle hop (serves the hop route). */
const PROFILED = SERVICE_NAMES.slice(0, 2);
const TOP = 15;

interface Observed {
  loopDelayMs: { p50: number; p99: number; max: number };
  pauses: Array<{ kind: number; ms: number }>;
}

/** perf_hooks' GC kinds (NODE_PERFORMANCE_GC_*). */
const GC_KINDS: Record<number, string> = {
  1: 'scavenge',
  2: 'minor mark-sweep',
  4: 'mark-compact',
  8: 'incremental marking',
  16: 'weak callbacks',
};

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function shareTable(title: string, shares: readonly Share[]): string {
  return table(
    [title, 'self', 'total'],
    shares.slice(0, TOP).map((share) => [share.name, percent(share.self), percent(share.total)]),
  );
}

function gcLine(observed: Observed, seconds: number): string {
  const byKind = new Map<string, { count: number; ms: number; max: number }>();
  for (const pause of observed.pauses) {
    const kind = GC_KINDS[pause.kind] ?? `kind ${pause.kind}`;
    const tally = byKind.get(kind) ?? { count: 0, ms: 0, max: 0 };
    byKind.set(kind, { count: tally.count + 1, ms: tally.ms + pause.ms, max: Math.max(tally.max, pause.ms) });
  }
  const kinds = [...byKind.entries()].map(([kind, tally]) => `${count(tally.count)} ${kind} (${ms(tally.ms)} ms, max ${ms(tally.max)} ms)`);
  const total = observed.pauses.reduce((sum, pause) => sum + pause.ms, 0);
  return `GC ${percent(total / 1000 / seconds)} of the time: ${kinds.join(', ') || 'none'}`;
}

/**
 * The four services from their builds under saturating /start load with
 * --cpu-prof and a preload that records event-loop delay and GC pauses; then
 * a self/total table per profiled member. The .cpuprofile files are kept for
 * a flame graph (Chrome DevTools, speedscope).
 */
export async function profileLocal(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const directory = mkdtempSync(path.join(tmpdir(), 'ping-pong-profile-'));
  const log = logFile(cleanup);
  const chain = await startChain(cleanup, 'the services', {
    env: { LOG_LEVEL: 'info', BENCH_OBSERVE_DIR: directory },
    stdout: log.fd,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${directory}`, '--require', OBSERVE_LOOP],
  });
  const seconds = options.roundSeconds * options.rounds;
  console.log(`Profiling the services under GET /start, ${options.connections} connections for ${seconds} s...`);
  const scenario = startScenario(chain);
  await load(scenario, { connections: options.connections, seconds: 3 });
  for (const running of Object.values(chain.processes)) running.signal('SIGUSR2');
  const sample = await load(scenario, { connections: options.connections, seconds });
  await chain.stop();

  console.log(
    `\n${count(sample.requestsPerSecond)} requests/s, p50 ${ms(sample.p50Ms)} ms, p99 ${ms(sample.p99Ms)} ms, ${sample.failures} failed ` +
      `(profiling slows the services down)`,
  );
  const files = readdirSync(directory);
  for (const service of SERVICE_NAMES) {
    const pid = chain.processes[service]!.child.pid;
    const observed = JSON.parse(readFileSync(path.join(directory, `${service}.json`), 'utf8')) as Observed;
    console.log(
      `\n${service}: event-loop delay p50 ${ms(observed.loopDelayMs.p50)} ms, p99 ${ms(observed.loopDelayMs.p99)} ms, ` +
        `max ${ms(observed.loopDelayMs.max)} ms; ${gcLine(observed, seconds)}`,
    );
    if (!PROFILED.includes(service)) continue;
    const file = files.find((name) => name.endsWith('.cpuprofile') && name.split('.').includes(String(pid)));
    if (!file) throw new Error(`no CPU profile of ${service} (pid ${pid}) in ${directory}`);
    const summary = summarizeProfile(JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile);
    console.log(`${path.join(directory, file)}: busy ${percent(summary.busy)} of the samples; shares of the busy time:\n`);
    console.log(`${shareTable('by package', summary.categories)}\n\n${shareTable('by function', summary.functions)}`);
  }
  return sample.failures;
}
