import { PING_ANSWERS, ROUTES } from '@ping-pong/contract';
import type { Cleanup } from './cleanup';
import { compare, noFailures, throughputAtLeast, type Comparison, type Target } from './compare';
import { alternate } from './load';
import type { BenchOptions } from './options';
import { comparisonTable, targetLines } from './report';
import { CONTAINER_START_ANSWER, startProductionStack, startReferenceStack } from './stacks';

/** Issue 13's targets through the gateways: the subject's requests/s as a share of the reference's. */
const CONTAINER_TARGETS = { start: 0.5, ping: 0.6 };

const BENCHED_ROUTES = [
  { path: ROUTES.start, expectBody: CONTAINER_START_ANSWER, minimum: CONTAINER_TARGETS.start },
  { path: ROUTES.ping, expectBody: PING_ANSWERS.serving.body, minimum: CONTAINER_TARGETS.ping },
];

interface Compared {
  route: (typeof BENCHED_ROUTES)[number];
  comparison: Comparison;
}

/** Each route on the subject and the reference in alternating rounds; `where` ends each route's heading and table title. */
async function compareRoutes(where: string, subjectUrl: string, referenceUrl: string, options: BenchOptions): Promise<Compared[]> {
  const compared: Compared[] = [];
  for (const route of BENCHED_ROUTES) {
    console.log(`\nGET ${route.path} ${where}`);
    const sides = await alternate(
      { url: subjectUrl + route.path, expectBody: route.expectBody },
      { url: referenceUrl + route.path, expectBody: route.expectBody },
      options,
      console.log,
    );
    const comparison = compare(sides.subject, sides.reference);
    console.log(`\n${comparisonTable(`GET ${route.path} ${where}`, comparison)}`);
    compared.push({ route, comparison });
  }
  return compared;
}

/**
 * docker-compose.prod.yml through its gateway vs the relay ×4 behind a
 * minimal keep-alive nginx; then the same routes on the first member of each
 * stack, past the gateways: what the chain itself costs in containers. That
 * second part has no target, and is skipped where container addresses are
 * out of reach.
 */
export async function benchContainers(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const subject = await startProductionStack(cleanup);
  const reference = await startReferenceStack(cleanup);
  console.log(
    `\nThrough each gateway's published port, ${options.connections} connections, ${options.rounds} rounds of ${options.roundSeconds} s per side:\n` +
      `  subject: docker-compose.prod.yml (gateway image apps/nginx, the node image, LOG_LEVEL=info, json-file logs)\n` +
      `  reference: bench/reference/relay.mts ×4 on node:24-trixie-slim behind nginx:stable-trixie with a keep-alive upstream`,
  );
  const throughGateways = await compareRoutes('through the gateways', subject.url, reference.url, options);
  const targets: Target[] = throughGateways.flatMap(({ route, comparison }) => [
    throughputAtLeast(route.path, comparison, route.minimum),
    noFailures(route.path, comparison.subject.failures),
    noFailures(`reference ${route.path}`, comparison.reference.failures),
  ]);

  const [ours, theirs] = [await subject.firstMemberUrl(), await reference.firstMemberUrl()];
  let pastGateways: Compared[] = [];
  if (ours && theirs) pastGateways = await compareRoutes('on the first members, past the gateways', ours, theirs, options);
  else console.log('\nThe first members past the gateways: container addresses are not reachable from this host; skipped.');

  console.log(`\n${targetLines(targets)}`);
  return [...throughGateways, ...pastGateways].reduce(
    (sum, { comparison }) => sum + comparison.subject.failures + comparison.reference.failures,
    0,
  );
}
