import type { Cleanup } from './cleanup';
import { compare, noFailures, throughputAtLeast, type Target } from './compare';
import { alternate } from './load';
import type { BenchOptions } from './options';
import { comparisonTable, targetLines } from './report';
import { CONTAINER_START_ANSWER, startProductionStack, startReferenceStack, type Stack } from './stacks';

/** Issue 13's targets through the gateways: the subject's requests/s as a share of the reference's. */
export const CONTAINER_TARGETS = { start: 0.5, ping: 0.6 };

const ROUTES = [
  { path: '/start', expectBody: CONTAINER_START_ANSWER, minimum: CONTAINER_TARGETS.start },
  { path: '/ping', expectBody: 'pong', minimum: CONTAINER_TARGETS.ping },
];

/** docker-compose.prod.yml through its gateway vs the relay ×4 behind a minimal keep-alive nginx. */
export async function benchContainers(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const subject = await startProductionStack(cleanup);
  const reference = await startReferenceStack(cleanup);
  console.log(
    `\nThrough each gateway's published port, ${options.connections} connections, ${options.rounds} rounds of ${options.roundSeconds} s per side:\n` +
      `  subject: docker-compose.prod.yml (gateway image apps/nginx, the node image, LOG_LEVEL=info, json-file logs)\n` +
      `  reference: bench/reference/relay.mts ×4 on node:24-trixie-slim behind nginx:stable-trixie with a keep-alive upstream`,
  );
  const targets: Target[] = [];
  let failures = 0;
  for (const route of ROUTES) {
    console.log(`\nGET ${route.path}`);
    const sides = await alternate(
      { url: subject.url + route.path, expectBody: route.expectBody },
      { url: reference.url + route.path, expectBody: route.expectBody },
      { ...options, seconds: options.roundSeconds },
      console.log,
    );
    const comparison = compare(sides.subject, sides.reference);
    console.log(`\n${comparisonTable(`containers GET ${route.path}`, comparison)}`);
    targets.push(
      throughputAtLeast(route.path, comparison, route.minimum),
      noFailures(route.path, comparison.subject.failures),
      noFailures(`reference ${route.path}`, comparison.reference.failures),
    );
    failures += comparison.subject.failures + comparison.reference.failures;
  }
  failures += await benchFirstMembers(subject, reference, options);
  console.log(`\n${targetLines(targets)}`);
  return failures;
}

/**
 * The same routes on the first member of each stack, past the gateways: what
 * the chain itself costs in containers, next to the figures through the
 * gateways. No target; skipped where container addresses are out of reach.
 */
async function benchFirstMembers(subject: Stack, reference: Stack, options: BenchOptions): Promise<number> {
  const [ours, theirs] = [await subject.firstMemberUrl(), await reference.firstMemberUrl()];
  if (!ours || !theirs) {
    console.log('\nThe first members past the gateways: container addresses are not reachable from this host; skipped.');
    return 0;
  }
  let failures = 0;
  for (const route of ROUTES) {
    console.log(`\nGET ${route.path} on the first member, past the gateway`);
    const sides = await alternate(
      { url: ours + route.path, expectBody: route.expectBody },
      { url: theirs + route.path, expectBody: route.expectBody },
      { ...options, seconds: options.roundSeconds },
      console.log,
    );
    const comparison = compare(sides.subject, sides.reference);
    console.log(`\n${comparisonTable(`first member GET ${route.path}`, comparison)}`);
    failures += comparison.subject.failures + comparison.reference.failures;
  }
  return failures;
}
