import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROUTES, SERVICE_NAMES } from '@ping-pong/contract';
import type { LocalChain, LocalChainOptions } from '@ping-pong/test-support';
import type { Cleanup } from './cleanup';
import type { Sample } from './compare';
import { load, WARM_UP_SECONDS } from './load';
import { logFile, RELAY_CHAIN, servicesChain, startChain, startScenario } from './local';
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

/** Self and total shares, and self time per request: the figure that compares across runs of different speed. */
function shareTable(title: string, shares: readonly Share[], busyUsPerRequest: number): string {
  return table(
    [title, 'self', 'total', 'self µs/request'],
    shares
      .slice(0, TOP)
      .map((share) => [share.name, percent(share.self), percent(share.total), (share.self * busyUsPerRequest).toFixed(1)]),
  );
}

/** Event-loop delay and GC of one process over the measured load, as a table row. */
function observedRow(name: string, observed: Observed, seconds: number): string[] {
  const gcMs = observed.pauses.reduce((sum, pause) => sum + pause.ms, 0);
  const kinds = new Map<string, number>();
  for (const pause of observed.pauses) {
    const kind = GC_KINDS[pause.kind] ?? `kind ${pause.kind}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [
    name,
    ms(observed.loopDelayMs.p50),
    ms(observed.loopDelayMs.p99),
    ms(observed.loopDelayMs.max),
    percent(gcMs / 1000 / seconds),
    ms(Math.max(0, ...observed.pauses.map((pause) => pause.ms))),
    [...kinds.entries()].map(([kind, times]) => `${count(times)} ${kind}`).join(', '),
  ];
}

interface ProfiledRun {
  chain: LocalChain;
  directory: string;
  sample: Sample;
  /** Every /start the profiles saw. */
  requests: number;
}

/** Starts a chain with --cpu-prof and the observer, warms it up, loads it for `seconds`, and stops it (which writes the profiles). */
async function profiledRun(
  cleanup: Cleanup,
  name: string,
  options: LocalChainOptions,
  connections: number,
  seconds: number,
): Promise<ProfiledRun> {
  const directory = mkdtempSync(path.join(tmpdir(), 'ping-pong-profile-'));
  const chain = await startChain(cleanup, name, {
    ...options,
    env: { ...options.env, BENCH_OBSERVE_DIR: directory },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${directory}`, '--require', OBSERVE_LOOP],
  });
  const scenario = startScenario(chain);
  const warmUp = await load(scenario, { connections, seconds: WARM_UP_SECONDS });
  for (const running of Object.values(chain.processes)) running.signal('SIGUSR2');
  const sample = await load(scenario, { connections, seconds });
  await chain.stop();
  // The profiles cover the warm-up too, and also the failures.
  sample.failures += warmUp.failures;
  const requests = warmUp.requests + sample.requests;
  console.log(
    `${name}: ${count(sample.requestsPerSecond)} requests/s, p50 ${ms(sample.p50Ms)} ms, p99 ${ms(sample.p99Ms)} ms, ${sample.failures} failed`,
  );
  return { chain, directory, sample, requests };
}

function observed(run: ProfiledRun, service: string): Observed {
  return JSON.parse(readFileSync(path.join(run.directory, `${service}.json`), 'utf8')) as Observed;
}

function profileOf(run: ProfiledRun, service: string): string {
  const pid = String(run.chain.processes[service]!.child.pid);
  const file = readdirSync(run.directory).find((name) => name.endsWith('.cpuprofile') && name.split('.').includes(pid));
  if (!file) throw new Error(`no CPU profile of ${service} (pid ${pid}) in ${run.directory}`);
  return path.join(run.directory, file);
}

/**
 * The services, then the bare relay, each from a fresh start under the same
 * saturating /start load, with --cpu-prof and a preload that records
 * event-loop delay and GC pauses. Prints the tail's suspects side by side and
 * a self/total table of the profiled services. The .cpuprofile files are kept
 * for a flame graph (Chrome DevTools, speedscope).
 */
export async function profileLocal(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const seconds = options.roundSeconds * options.rounds;
  console.log(`Profiling under GET ${ROUTES.start}, ${options.connections} connections for ${seconds} s each (profiling slows both down):`);
  const log = logFile(cleanup);
  const services = await profiledRun(cleanup, 'the services', servicesChain(log.fd), options.connections, seconds);
  const relay = await profiledRun(cleanup, 'the bare relay', RELAY_CHAIN, options.connections, seconds);

  console.log(
    `\n${table(
      ['process', 'loop delay p50 ms', 'p99 ms', 'max ms', 'GC time', 'longest GC ms', 'collections'],
      SERVICE_NAMES.flatMap((service) => [
        observedRow(service, observed(services, service), seconds),
        observedRow(`  ${service} (relay)`, observed(relay, service), seconds),
      ]),
    )}`,
  );
  for (const service of PROFILED) {
    const file = profileOf(services, service);
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busyUsPerRequest = (summary.busyMs * 1000) / services.requests;
    console.log(
      `\n${service}: ${file}\n${count(busyUsPerRequest)} µs of CPU per /start (busy ${percent(summary.busy)} of the samples); ` +
        `shares of the busy time:\n`,
    );
    console.log(
      `${shareTable('by package', summary.categories, busyUsPerRequest)}\n\n${shareTable('by function', summary.functions, busyUsPerRequest)}`,
    );
  }
  console.log(`\nThe relay's profiles: ${relay.directory}`);
  return services.sample.failures + relay.sample.failures;
}
