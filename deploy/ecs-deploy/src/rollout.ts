import type { Deployment, ECSClient, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import type { Clock } from './clock';
import type { Output } from './output';
import { describeServices } from './services';

/** The deployment an UpdateService started, and what the service had said before it. */
export interface Rollout {
  service: string;
  deploymentId: string;
  /** Event ids already there before the update; everything else is news. */
  eventsBefore: ReadonlySet<string>;
}

type Settled = { state: 'completed' } | { state: 'failed'; reason: string };
export type RolloutOutcome = Settled | { state: 'timed-out'; progress: string };

export interface WaitResult {
  outcomes: Map<string, RolloutOutcome>;
  /** The last DescribeServices answer for every rollout's service. */
  services: Map<string, Service>;
}

const FIRST_POLL_MS = 3_000;
const MAX_POLL_MS = 20_000;
const POLL_BACKOFF = 1.5;

function progressOf(deployment: Deployment, service: Service): string {
  const others = (service.deployments?.length ?? 1) - 1;
  return [
    `${deployment.rolloutState ?? deployment.status ?? 'unknown'}:`,
    `desired ${deployment.desiredCount ?? 0}, running ${deployment.runningCount ?? 0}, pending ${deployment.pendingCount ?? 0}, failed ${deployment.failedTasks ?? 0}`,
    others > 0 ? `(${others} older deployment${others > 1 ? 's' : ''} still draining)` : '',
  ]
    .join(' ')
    .trim();
}

/**
 * Success only when our deployment is PRIMARY, its rollout COMPLETED (or, for
 * services without rollout states, running = desired) and it is the only one
 * left. Failure when its rollout FAILED or it vanished: the circuit breaker
 * rolled back, which other tools report as success.
 */
export function assess(service: Service, deploymentId: string): Settled | { state: 'in-progress'; progress: string } {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((deployment) => deployment.id === deploymentId);
  if (!ours) {
    const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
    return {
      state: 'failed',
      reason: `deployment ${deploymentId} is gone: ECS rolled the service back${primary?.taskDefinition ? ` to ${primary.taskDefinition}` : ''} (deployment circuit breaker)`,
    };
  }
  if (ours.rolloutState === 'FAILED') return { state: 'failed', reason: ours.rolloutStateReason ?? `deployment ${deploymentId} failed` };
  if (ours.status !== 'PRIMARY') {
    const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
    return {
      state: 'failed',
      reason: `deployment ${deploymentId} was replaced by a newer one (${primary?.id ?? 'unknown'} running ${primary?.taskDefinition ?? 'unknown'})`,
    };
  }
  const rolledOut = ours.rolloutState ? ours.rolloutState === 'COMPLETED' : ours.runningCount === ours.desiredCount;
  if (rolledOut && deployments.length === 1) return { state: 'completed' };
  return { state: 'in-progress', progress: progressOf(ours, service) };
}

const eventLine = (service: string, event: ServiceEvent) => `  ${service} | ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`;

/**
 * Polls DescribeServices with backoff until every rollout has settled or the
 * timeout passes, printing a line whenever a service's progress changes and
 * each new service event. A timed-out rollout is left exactly as ECS has it.
 */
export async function waitForRollouts(
  rollouts: readonly Rollout[],
  options: { ecs: ECSClient; cluster: string; timeoutMs: number; clock: Clock; output: Output },
): Promise<WaitResult> {
  const { ecs, cluster, clock, output } = options;
  const deadline = clock.now() + options.timeoutMs;
  const outcomes = new Map<string, RolloutOutcome>();
  const lastProgress = new Map<string, string>();
  const newEvents = new Map<string, ServiceEvent[]>(rollouts.map((rollout) => [rollout.service, []]));
  let services = new Map<string, Service>();
  let delay = FIRST_POLL_MS;

  for (;;) {
    const pending = rollouts.filter((rollout) => !outcomes.has(rollout.service));
    services = new Map([
      ...services,
      ...(await describeServices(
        ecs,
        cluster,
        pending.map((rollout) => rollout.service),
      )),
    ]);
    for (const rollout of pending) {
      const service = services.get(rollout.service)!;
      const seen = newEvents.get(rollout.service)!;
      const known = new Set([...rollout.eventsBefore, ...seen.map((event) => event.id)]);
      const fresh = (service.events ?? []).filter((event) => !known.has(event.id)).reverse();
      seen.push(...fresh);
      for (const event of fresh) output.info(eventLine(rollout.service, event));

      const verdict = assess(service, rollout.deploymentId);
      if (verdict.state === 'in-progress') {
        if (lastProgress.get(rollout.service) !== verdict.progress) output.info(`${rollout.service}: ${verdict.progress}`);
        lastProgress.set(rollout.service, verdict.progress);
        continue;
      }
      outcomes.set(rollout.service, verdict);
      if (verdict.state === 'completed') {
        output.info(`${rollout.service}: deployment ${rollout.deploymentId} completed`);
      } else {
        output.error(`${rollout.service}: deployment FAILED: ${verdict.reason}`);
        output.error(`${rollout.service}: events since the deploy began (oldest first):`);
        for (const event of seen) output.error(eventLine(rollout.service, event));
        if (seen.length === 0) output.error('  (none)');
      }
    }
    const unsettled = rollouts.filter((rollout) => !outcomes.has(rollout.service));
    if (unsettled.length === 0) return { outcomes, services };
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      for (const rollout of unsettled)
        outcomes.set(rollout.service, { state: 'timed-out', progress: lastProgress.get(rollout.service) ?? 'unknown' });
      return { outcomes, services };
    }
    await clock.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * POLL_BACKOFF, MAX_POLL_MS);
  }
}
