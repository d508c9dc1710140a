import type { TargetGroupSettings } from '@ping-pong/deploy-config';

export type TargetHealth = 'initial' | 'healthy' | 'unhealthy';

/** `200`, `200,204` or `200-299`, as an ALB matcher. */
export function matchesStatus(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high = low] = part.split('-').map(Number) as [number, number?];
    return status >= low && status <= high!;
  });
}

/**
 * Consecutive-result counting as a target group does: a new target is
 * `initial` (not routed to) until `healthyThresholdCount` checks in a row
 * pass; a healthy one turns `unhealthy` after `unhealthyThresholdCount` failures.
 */
export function nextHealth(
  settings: TargetGroupSettings['healthCheck'],
  current: { health: TargetHealth; streak: number; lastPassed: boolean },
  passed: boolean,
) {
  const streak = passed === current.lastPassed ? current.streak + 1 : 1;
  let health = current.health;
  if (passed && streak >= settings.healthyThresholdCount) health = 'healthy';
  if (!passed && streak >= settings.unhealthyThresholdCount) health = 'unhealthy';
  return { health, streak, lastPassed: passed };
}

/** One registered target: probed every intervalSeconds from the moment it is registered. */
export class Target {
  private state = { health: 'initial' as TargetHealth, streak: 0, lastPassed: false };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly group: TargetGroupSettings,
    readonly taskId: string,
    /** `127.0.0.1:<host port>` */
    readonly address: string,
    private readonly onHealthChange: (target: Target) => void,
  ) {}

  get health(): TargetHealth {
    return this.state.health;
  }

  start(): void {
    const probe = async () => {
      const passed = await this.check();
      const before = this.state.health;
      this.state = nextHealth(this.group.healthCheck, this.state, passed);
      if (this.state.health !== before) this.onHealthChange(this);
      if (this.timer) this.timer = setTimeout(probe, this.group.healthCheck.intervalSeconds * 1000);
    };
    this.timer = setTimeout(probe, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<boolean> {
    try {
      const response = await fetch(`http://${this.address}${this.group.healthCheck.path}`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      return matchesStatus(this.group.healthCheck.matcher, response.status);
    } catch {
      return false;
    }
  }
}
