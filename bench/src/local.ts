import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectedStartAnswer, ROUTES, SERVICE_NAMES } from '@ping-pong/contract';
import { startLocalChain, type LocalChain, type LocalChainOptions } from '@ping-pong/test-support';
import type { Cleanup } from './cleanup';
import { compare, noFailures, p99AtMost, throughputAtLeast } from './compare';
import { alternate, type Scenario } from './load';
import type { BenchOptions } from './options';
import { comparisonTable, targetLines } from './report';

/** The bare node:http relay, run by Node as is (type stripping). */
export const RELAY = path.resolve(__dirname, '..', 'reference', 'relay.mts');

/** Issue 13's targets for the local processes. */
const LOCAL_TARGETS = { throughputRatio: 0.5, p99Ratio: 2.5 };

/** A file the members' stdout goes to, as a container's log driver takes it. */
export function logFile(cleanup: Cleanup): { file: string; fd: number } {
  const directory = mkdtempSync(path.join(tmpdir(), 'ping-pong-bench-'));
  const file = path.join(directory, 'chain.log');
  const fd = openSync(file, 'a');
  cleanup.add(`removing ${directory}`, async () => {
    closeSync(fd);
    rmSync(directory, { recursive: true, force: true });
  });
  return { file, fd };
}

/** The four services, logging at info to `logFd`. */
export function servicesChain(logFd: number): LocalChainOptions {
  return { env: { LOG_LEVEL: 'info' }, stdout: logFd };
}

/** The bare relay in the members' places, its output discarded. */
export const RELAY_CHAIN: LocalChainOptions = { env: { HOP_PATH: ROUTES.hop }, stdout: 'ignore', entry: () => RELAY };

export async function startChain(cleanup: Cleanup, name: string, options: LocalChainOptions): Promise<LocalChain> {
  const chain = await startLocalChain(options);
  cleanup.add(`stopping ${name}`, () => chain.stop());
  return chain;
}

/** GET /start on a local chain, expecting exactly the meows of the members after the first. */
export function startScenario(chain: LocalChain): Scenario {
  return {
    url: `${chain.url}${ROUTES.start}`,
    expectBody: JSON.stringify(expectedStartAnswer(SERVICE_NAMES, (service) => chain.ports[service]!)),
  };
}

/** The four services as processes, logging at info to a file, vs the bare relay as four processes. */
export async function benchLocal(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const log = logFile(cleanup);
  const chain = await startChain(cleanup, 'the services', servicesChain(log.fd));
  const relay = await startChain(cleanup, 'the bare relay', RELAY_CHAIN);

  console.log(
    `GET ${ROUTES.start} with ${options.connections} connections, ${options.rounds} rounds of ${options.roundSeconds} s per side:\n` +
      `  subject: the four services as processes (production build, LOG_LEVEL=info to ${log.file})\n` +
      `  reference: the bare node:http relay as four processes (bench/reference/relay.mts)`,
  );
  const sides = await alternate(startScenario(chain), startScenario(relay), options, console.log);
  const comparison = compare(sides.subject, sides.reference);
  console.log(`\n${comparisonTable(`local GET ${ROUTES.start}`, comparison)}\n`);
  console.log(`The services wrote ${(statSync(log.file).size / 1e6).toFixed(1)} MB of logs.\n`);
  console.log(
    targetLines([
      throughputAtLeast(ROUTES.start, comparison, LOCAL_TARGETS.throughputRatio),
      p99AtMost(ROUTES.start, comparison, LOCAL_TARGETS.p99Ratio),
      noFailures(ROUTES.start, comparison.subject.failures),
      noFailures(`reference ${ROUTES.start}`, comparison.reference.failures),
    ]),
  );
  return comparison.subject.failures + comparison.reference.failures;
}
