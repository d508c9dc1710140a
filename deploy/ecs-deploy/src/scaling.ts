import {
  type ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { call } from './aws';
import type { AutoScalingSettings } from '@ping-pong/deploy-config';
import type { Output } from './output';

/**
 * Makes the service's scaling what the environment file says: a scalable
 * target (min/max tasks) and one CPU target-tracking policy. Both calls
 * create or update in place, so running it on every deploy changes nothing
 * when nothing changed.
 */
export async function applyAutoScaling(
  scaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  settings: AutoScalingSettings,
  output: Output,
): Promise<void> {
  const target = {
    ServiceNamespace: 'ecs',
    ResourceId: `service/${cluster}/${service}`,
    ScalableDimension: 'ecs:service:DesiredCount',
  } as const;
  await call('application-autoscaling:RegisterScalableTarget', () =>
    scaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: settings.minCapacity, MaxCapacity: settings.maxCapacity })),
  );
  await call('application-autoscaling:PutScalingPolicy', () =>
    scaling.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: `${service}-cpu-target-tracking`,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: settings.targetCpuUtilizationPercent,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleOutCooldown: settings.scaleOutCooldownSeconds,
          ScaleInCooldown: settings.scaleInCooldownSeconds,
        },
      }),
    ),
  );
  output.info(
    `${service}: auto scaling ${settings.minCapacity}-${settings.maxCapacity} tasks, target CPU ${settings.targetCpuUtilizationPercent}%`,
  );
}
