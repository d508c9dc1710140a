import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { type Environment, displayPath } from '@ping-pong/deploy-config';
import { AwsCallError, call } from './aws';
import type { Output } from './output';

const dimension = { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount' } as const;

/**
 * Auto scaling belongs to deploy/infra (the stack registers each service's
 * scalable target and CPU target tracking from the environment file), so a
 * deploy never changes it. It reads what AWS has and prints a warning for
 * every service whose minimum, maximum or CPU target differs from the file,
 * or that has none: the stack is then behind the file. A failed read is a
 * warning too; nothing here stops a deploy.
 */
export async function warnOnScalingDrift(scaling: ApplicationAutoScalingClient, environment: Environment, output: Output): Promise<void> {
  const file = displayPath(environment.file);
  const fix = `deploy/infra owns it: npm run infra:deploy -- --env ${environment.name}`;
  const resourceIdOf = (service: string) => `service/${environment.cluster}/${service}`;
  try {
    const { ScalableTargets: targets = [] } = await call('application-autoscaling:DescribeScalableTargets', () =>
      scaling.send(new DescribeScalableTargetsCommand({ ...dimension, ResourceIds: Object.keys(environment.services).map(resourceIdOf) })),
    );
    for (const [service, { autoScaling: wanted }] of Object.entries(environment.services)) {
      const target = targets.find((candidate) => candidate.ResourceId === resourceIdOf(service));
      const inFile = `${wanted.minCapacity}-${wanted.maxCapacity} tasks at ${wanted.targetCpuUtilizationPercent}% CPU in ${file}`;
      if (!target) {
        output.error(`warning: ${service}: AWS has no auto scaling for it, ${inFile}; ${fix}`);
        continue;
      }
      const { ScalingPolicies: policies = [] } = await call('application-autoscaling:DescribeScalingPolicies', () =>
        scaling.send(new DescribeScalingPoliciesCommand({ ...dimension, ResourceId: resourceIdOf(service) })),
      );
      const cpu = policies.find(
        (policy) =>
          policy.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType ===
          'ECSServiceAverageCPUUtilization',
      )?.TargetTrackingScalingPolicyConfiguration?.TargetValue;
      if (
        target.MinCapacity !== wanted.minCapacity ||
        target.MaxCapacity !== wanted.maxCapacity ||
        cpu !== wanted.targetCpuUtilizationPercent
      ) {
        const live = `${target.MinCapacity}-${target.MaxCapacity} tasks at ${cpu === undefined ? 'no CPU target' : `${cpu}% CPU`}`;
        output.error(`warning: ${service}: auto scaling in AWS is ${live}, ${inFile}; ${fix}`);
      }
    }
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    output.error(`warning: the services' auto scaling could not be compared with ${file}: ${error.message}`);
  }
}
