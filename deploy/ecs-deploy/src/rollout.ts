import type { Deployment, ECSClient, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import type { Clock } from './clock';
import type { Output } from './output';
import { describeServices, primaryDeployment } from './services';

/** The deployment an UpdateService started, and what the service had said before it. */
export interface Rollout {
  service: string;
  deploymentId: string;
  /** Event ids already there before the update; everything else is news. */
  eventsBefore: ReadonlySet<string>;
  /** What the service ran before the update: where a manual rollback goes. */
  previousTaskDefinition: string;
}

type Settled = { state: 'completed' } | { state: 'failed'; reason: string };
export type RolloutOutcome = Settled | { state: 'timed-out'; progress: string };

export interface WaitResult {
  outcomes: Map<string, RolloutOutcome>;
  /** The last DescribeServices answer for every rollout's service. */
  services: Map<string, Service>;
}

/** The service event ECS writes when no container instance can take a task (CPU, memory, ports, constraints). */
const UNABLE_TO_PLACE = /was unable to place a task/;

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
  const primary = primaryDeployment(service);
  if (!ours) {
    return {
      state: 'failed',
      reason: `deployment ${deploymentId} is gone: ECS rolled the service back${primary?.taskDefinition ? ` to ${primary.taskDefinition}` : ''} (deployment circuit breaker)`,
    };
  }
  if (ours.rolloutState === 'FAILED') return { state: 'failed', reason: ours.rolloutStateReason ?? `deployment ${deploymentId} failed` };
  if (ours.status !== 'PRIMARY') {
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

function cannotPlace(rollout: Rollout, event: ServiceEvent, cluster: string, waitedMs: number): Settled {
  return {
    state: 'failed',
    reason:
      `ECS cannot place its tasks, and the rollout has not progressed for ${Math.round(waitedMs / 1000)}s since it said: ${event.message ?? ''}\n` +
      'hint: the cluster lacks room for the new tasks (CPU, memory or host ports on its container instances). ' +
      'Add capacity (more instances, or a capacity provider with managed scaling), or lower the tasks’ reservations or the service’s maximumPercent. ' +
      'The deployment is left in ECS and keeps trying to place the tasks; to go back: ' +
      `aws ecs update-service --cluster ${cluster} --service ${rollout.service} --task-definition ${rollout.previousTaskDefinition}`,
  };
}

/**
 * Polls DescribeServices with backoff until every rollout has settled or the
 * timeout passes, printing a line whenever a service's progress changes and
 * each new service event. A rollout fails early when ECS says it cannot place
 * a task and the rollout then makes no progress for `placementTimeoutMs`.
 * A timed-out rollout is left exactly as ECS has it.
 */
export async function waitForRollouts(
  rollouts: readonly Rollout[],
  options: { ecs: ECSClient; cluster: string; timeoutMs: number; placementTimeoutMs: number; clock: Clock; output: Output },
): Promise<WaitResult> {
  const { ecs, cluster, clock, output } = options;
  const deadline = clock.now() + options.timeoutMs;
  const outcomes = new Map<string, RolloutOutcome>();
  const lastProgress = new Map<string, string>();
  /** The first "unable to place" event since the rollout last progressed, and when it was seen. */
  const unplaced = new Map<string, { event: ServiceEvent; seenAt: number }>();
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

      let verdict: ReturnType<typeof assess> = assess(service, rollout.deploymentId);
      if (verdict.state === 'in-progress') {
        if (lastProgress.get(rollout.service) !== verdict.progress) {
          output.info(`${rollout.service}: ${verdict.progress}`);
          unplaced.delete(rollout.service);
        }
        lastProgress.set(rollout.service, verdict.progress);
        const placementEvent = fresh.find((event) => UNABLE_TO_PLACE.test(event.message ?? ''));
        if (placementEvent && !unplaced.has(rollout.service)) unplaced.set(rollout.service, { event: placementEvent, seenAt: clock.now() });
        const stuck = unplaced.get(rollout.service);
        if (!stuck || clock.now() - stuck.seenAt < options.placementTimeoutMs) continue;
        verdict = cannotPlace(rollout, stuck.event, cluster, clock.now() - stuck.seenAt);
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
    // Wake up in time for a placement verdict too, so "cannot place" is never reported late.
    const placementDue = unsettled.flatMap((rollout) => {
      const stuck = unplaced.get(rollout.service);
      return stuck ? [stuck.seenAt + options.placementTimeoutMs - clock.now()] : [];
    });
    await clock.sleep(Math.min(delay, remaining, ...placementDue));
    delay = Math.min(delay * POLL_BACKOFF, MAX_POLL_MS);
  }
}
