import { Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { bootstrapRevision, type Environment, type RenderedTaskDefinition } from '@ping-pong/deploy-config';
import type { Capacity } from './capacity';
import type { Identity } from './identity';
import type { LoadBalancer } from './load-balancer';
import type { LogsAndSecrets } from './logs-and-secrets';

export interface ServicesProps {
  environment: Environment;
  /** The families to bootstrap and the services that run them. */
  taskDefinitions: readonly RenderedTaskDefinition[];
  capacity: Capacity;
  loadBalancer: LoadBalancer;
  identity: Identity;
  logsAndSecrets: LogsAndSecrets;
}

/**
 * The ECS services of the environment file, with their target-tracking auto
 * scaling. Ownership is split with deploy:ecs, which registers revisions:
 * - a service names its task-definition family, never a revision (ECS takes
 *   the latest ACTIVE one), so no stack update can put a service back on an
 *   older revision;
 * - there is no DesiredCount: auto scaling owns the count, so a stack update
 *   cannot fight it.
 */
export class Services extends Construct {
  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { environment, taskDefinitions, capacity, loadBalancer, identity, logsAndSecrets } = props;
    const stack = Stack.of(this);

    for (const definition of taskDefinitions) {
      const bootstrap = new cr.AwsCustomResource(this, `Bootstrap${definition.family}`, {
        // onCreate only: a stack update or deletion never registers or deregisters a revision.
        onCreate: {
          service: 'ECS',
          action: 'registerTaskDefinition',
          parameters: bootstrapRevision(definition, environment),
          physicalResourceId: cr.PhysicalResourceId.fromResponse('taskDefinition.taskDefinitionArn'),
          outputPaths: ['taskDefinition.taskDefinitionArn'],
        },
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['ecs:RegisterTaskDefinition'], resources: ['*'] }),
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [identity.taskRole.roleArn, identity.executionRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          }),
        ]),
        installLatestAwsSdk: false,
      });
      // The revision names the roles and log groups by name: they exist first.
      bootstrap.node.findChild('Resource').node.addDependency(identity.taskRole, identity.executionRole, ...logsAndSecrets.logGroups);

      for (const name of definition.services) {
        const settings = environment.services[name]!;
        const service = new ecs.CfnService(this, name, {
          // By name, like the revision: the dependency below makes the cluster and its capacity providers come first.
          cluster: environment.cluster,
          serviceName: name,
          taskDefinition: definition.family,
          capacityProviderStrategy: [{ capacityProvider: capacity.capacityProvider.capacityProviderName, weight: 1 }],
          deploymentController: { type: 'ECS' },
          deploymentConfiguration: settings.deploymentConfiguration,
          healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
          loadBalancers: environment.loadBalancer.targetGroups
            .filter((group) => group.service === name)
            .map((group) => ({
              targetGroupArn: loadBalancer.targetGroups.get(group.name)!.targetGroupArn,
              containerName: group.containerName,
              containerPort: group.containerPort,
            })),
          placementStrategies: [
            { type: 'spread', field: 'attribute:ecs.availability-zone' },
            { type: 'binpack', field: 'memory' },
          ],
          enableEcsManagedTags: true,
          propagateTags: 'SERVICE',
        });
        // The first revision, the listener and its rules, and the capacity provider's association with the cluster come first.
        service.node.addDependency(bootstrap, capacity.cluster, loadBalancer.listener);

        const scaling = new appscaling.ScalableTarget(this, `${name}-scaling`, {
          serviceNamespace: appscaling.ServiceNamespace.ECS,
          resourceId: `service/${environment.cluster}/${name}`,
          scalableDimension: 'ecs:service:DesiredCount',
          minCapacity: settings.autoScaling.minCapacity,
          maxCapacity: settings.autoScaling.maxCapacity,
          role: iam.Role.fromRoleArn(
            this,
            `${name}-scaling-role`,
            stack.formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: 'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
            }),
          ),
        });
        scaling.node.addDependency(service);
        scaling.scaleToTrackMetric('cpu', {
          predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
          targetValue: settings.autoScaling.targetCpuUtilizationPercent,
          scaleOutCooldown: Duration.seconds(settings.autoScaling.scaleOutCooldownSeconds),
          scaleInCooldown: Duration.seconds(settings.autoScaling.scaleInCooldownSeconds),
        });
      }
    }
  }
}
