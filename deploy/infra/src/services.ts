import { Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Environment, RenderedTaskDefinition } from '@ping-pong/deploy-config';
import type { Capacity } from './capacity';
import type { Identity } from './identity';
import type { LoadBalancer } from './load-balancer';
import type { LogsAndSecrets } from './logs-and-secrets';

/** Public, so it pulls before any image of ours exists; pinned, like every image here. */
export const BOOTSTRAP_IMAGE = 'public.ecr.aws/docker/library/busybox:1.37';

/** The port a bootstrap container serves on when it maps none (nothing reaches it). */
const UNMAPPED_PORT = 3000;

type Definition = RenderedTaskDefinition['input'];

/** The file a path is served from under busybox httpd's document root: `/` and `/a/` are directories. */
const servedFile = (path: string) => (path.endsWith('/') ? `${path}index.html` : path);

/**
 * The first revision of a family, registered once when the stack is created so
 * the services can exist before any image is pushed: the family's containers
 * with the same names, port mappings, memory and log configuration, each
 * running busybox httpd from a public registry that answers 200 on the
 * health-check paths of the target groups pointing at it. No environment, no
 * secrets, no dependencies between containers: it needs nothing this app has
 * not created yet. The first `deploy:ecs` replaces it.
 */
function bootstrapRevision(definition: RenderedTaskDefinition, environment: Environment): Definition {
  const { input } = definition;
  const targetGroupsOf = (container: string) =>
    environment.loadBalancer.targetGroups.filter(
      (group) => definition.services.includes(group.service) && group.containerName === container,
    );
  const containerDefinitions = input.containerDefinitions!.map((container) => {
    const groups = targetGroupsOf(container.name!);
    // The ports the load balancer checks, else the first mapped one: one httpd each, the last in the foreground.
    const ports = [...new Set(groups.map((group) => group.containerPort))];
    if (ports.length === 0) ports.push(container.portMappings?.[0]?.containerPort ?? UNMAPPED_PORT);
    const files = ['/', ...groups.map((group) => group.healthCheck.path)].map((path) => `/tmp/www${servedFile(path)}`);
    const script = [
      ...files.map((file) => `mkdir -p "$(dirname '${file}')" && echo ok > '${file}'`),
      ...ports.map((port, index) => `${index === ports.length - 1 ? 'exec httpd -f' : 'httpd'} -v -p ${port} -h /tmp/www`),
    ].join(' && ');
    return {
      name: container.name,
      image: BOOTSTRAP_IMAGE,
      essential: container.essential,
      memory: container.memory,
      memoryReservation: container.memoryReservation,
      portMappings: container.portMappings,
      logConfiguration: container.logConfiguration,
      user: '65534:65534',
      command: ['sh', '-c', script],
    };
  });
  return {
    family: input.family,
    networkMode: input.networkMode,
    requiresCompatibilities: input.requiresCompatibilities,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    cpu: input.cpu,
    memory: input.memory,
    containerDefinitions,
  };
}

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
