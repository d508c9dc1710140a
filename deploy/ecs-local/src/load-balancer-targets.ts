import { setTimeout as sleep } from 'node:timers/promises';
import type { TargetGroupSettings } from '@ping-pong/deploy-config';
import type { LocalLoadBalancer } from './load-balancer';
import type { TargetsByGroup } from './load-balancer-config';
import { Target } from './target-group';

const POLL_MS = 250;

/** How long a reload after a health change waits for the old configuration's requests. */
const HEALTH_CHANGE_DRAIN_SECONDS = 10;

/** What registration needs of the load balancer: its target groups, and a way to route to a set of targets. */
export type Routing = Pick<LocalLoadBalancer, 'settings' | 'route'>;

/** A target to register: a task's container port, reachable on this host. */
export interface TargetAddress {
  group: TargetGroupSettings;
  /** `127.0.0.1:<host port>` */
  address: string;
}

/**
 * The target registration ECS does for a service behind an ALB, against the
 * local load balancer: a task's targets are registered with their groups and
 * health-checked as each group says, routed to once healthy (and no more once
 * unhealthy), and deregistered before the task stops: routed away from, then
 * drained for up to the group's deregistration delay.
 */
export class LoadBalancerTargets {
  private readonly registered: Target[] = [];
  private routing: Promise<void> = Promise.resolve();

  constructor(private readonly loadBalancer: Routing) {}

  /** The target groups of a service, as the environment file's loadBalancer lists them. */
  groupsOf(service: string): TargetGroupSettings[] {
    return this.loadBalancer.settings.targetGroups.filter((group) => group.service === service);
  }

  /**
   * Registers a task's targets and resolves once each has passed its group's
   * health check and is routed to. Rejects, naming the target, when one fails
   * its health check, or with `cancelled()`'s reason once it returns one (the
   * task stopped meanwhile); the targets stay registered until deregister().
   */
  async register(taskId: string, targets: readonly TargetAddress[], cancelled: () => string | undefined): Promise<void> {
    const created = targets.map(({ group, address }) => new Target(group, taskId, address, () => this.reroute()));
    this.registered.push(...created);
    created.forEach((target) => target.start());
    while (created.some((target) => target.health !== 'healthy')) {
      const reason = cancelled();
      if (reason !== undefined) throw new Error(reason);
      const failed = created.find((target) => target.health === 'unhealthy');
      if (failed) throw new Error(`target ${failed.address} of ${taskId} failed the health check of ${failed.group.name}`);
      await sleep(POLL_MS);
    }
    await this.routing;
  }

  /**
   * Deregisters every target of a task: no new request reaches them, and this
   * resolves once the requests in flight have finished, or after the longest
   * deregistration delay of their groups. Rejects when the load balancer
   * cannot be reconfigured (it is gone); the targets are deregistered anyway.
   */
  async deregister(taskId: string): Promise<void> {
    const own = this.registered.filter((target) => target.taskId === taskId);
    if (own.length === 0) return;
    for (const target of own) {
      target.stop();
      this.registered.splice(this.registered.indexOf(target), 1);
    }
    await this.reroute(Math.max(...own.map((target) => target.group.deregistrationDelaySeconds)));
  }

  /** Healthy targets by group: what the load balancer routes to. */
  private inService(): TargetsByGroup {
    const byGroup: Record<string, string[]> = {};
    for (const target of this.registered.filter((candidate) => candidate.health === 'healthy'))
      (byGroup[target.group.name] ??= []).push(target.address);
    return byGroup;
  }

  /** Applies the current set of healthy targets; applies are queued so the load balancer sees them in order. */
  private reroute(drainSeconds = HEALTH_CHANGE_DRAIN_SECONDS): Promise<void> {
    this.routing = this.routing.catch(() => undefined).then(() => this.loadBalancer.route(this.inService(), drainSeconds));
    return this.routing;
  }

  /** Stops every health check; the load balancer keeps its last routes. */
  close(): void {
    this.registered.forEach((target) => target.stop());
  }
}
