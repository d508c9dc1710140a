import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnvironment, TASK_DEFINITIONS_DIR } from '@ping-pong/deploy-config';
import { BOOTSTRAP_IMAGE } from '../src/services';
import { ENVIRONMENTS, resourcesOf, templateOf } from './support';

interface ContainerFile {
  name: string;
  memory?: number;
  memoryReservation?: number;
  portMappings?: { containerPort: number; hostPort: number; protocol: string }[];
  logConfiguration?: { logDriver: string; options: Record<string, string> };
}
interface TaskDefinitionFile {
  family: string;
  taskRoleArn: string;
  executionRoleArn: string;
  containerDefinitions: ContainerFile[];
}

/** deploy/task-definitions/*.json as written, read here directly so the test binds the template to the files, not to the stack's code. */
const files: Record<string, TaskDefinitionFile> = Object.fromEntries(
  readdirSync(TASK_DEFINITIONS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file, JSON.parse(readFileSync(path.join(TASK_DEFINITIONS_DIR, file), 'utf8')) as TaskDefinitionFile]),
);

/** The RegisterTaskDefinition calls the stack makes once, at creation, by family. */
function bootstrapRevisions(name: (typeof ENVIRONMENTS)[number]) {
  return Object.fromEntries(
    Object.values(resourcesOf(templateOf(name), 'Custom::AWS'))
      .map(({ Properties }) => JSON.parse(Properties.Create as string) as { action: string; parameters: TaskDefinitionFile })
      .filter(({ action }) => action === 'registerTaskDefinition')
      .map(({ parameters }) => [parameters.family, parameters]),
  );
}

describe.each(ENVIRONMENTS)('%s: the services', (name) => {
  const environment = loadEnvironment(name);

  it('name their task-definition family, never a revision, and have no DesiredCount (auto scaling owns the count)', () => {
    const services = Object.values(resourcesOf(templateOf(name), 'AWS::ECS::Service')).map(({ Properties }) => Properties);
    expect(services.map((service) => [service.ServiceName, service.TaskDefinition]).sort()).toEqual(
      Object.entries(environment.services)
        .map(([service, settings]) => [service, files[settings.taskDefinition]!.family])
        .sort(),
    );
    for (const service of services) {
      expect(service).not.toHaveProperty('DesiredCount');
      expect(service.TaskDefinition).toMatch(/^[\w-]+$/);
    }
  });

  it('attach to their target groups, use the capacity provider, roll back on failure and spread across zones first, as the file says', () => {
    const template = templateOf(name);
    const groupIds = Object.fromEntries(
      Object.entries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup')).map(([id, { Properties }]) => [
        Properties.Name,
        id,
      ]),
    );
    const [providerId] = Object.keys(resourcesOf(template, 'AWS::ECS::CapacityProvider'));
    for (const [service, settings] of Object.entries(environment.services)) {
      template.hasResourceProperties('AWS::ECS::Service', {
        ServiceName: service,
        Cluster: environment.cluster,
        LoadBalancers: environment.loadBalancer.targetGroups
          .filter((group) => group.service === service)
          .map((group) => ({
            TargetGroupArn: { Ref: groupIds[group.name] },
            ContainerName: group.containerName,
            ContainerPort: group.containerPort,
          })),
        CapacityProviderStrategy: [{ CapacityProvider: { Ref: providerId }, Weight: 1 }],
        DeploymentController: { Type: 'ECS' },
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: settings.deploymentConfiguration.minimumHealthyPercent,
          MaximumPercent: settings.deploymentConfiguration.maximumPercent,
        },
        HealthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
        PlacementStrategies: [
          { Type: 'spread', Field: 'attribute:ecs.availability-zone' },
          { Type: 'binpack', Field: 'memory' },
        ],
      });
    }
  });

  it('come after their first revision, the listener rules and the cluster’s capacity providers', () => {
    const template = templateOf(name);
    const idsOf = (type: string) => Object.keys(resourcesOf(template, type));
    for (const { DependsOn = [] } of Object.values(resourcesOf(template, 'AWS::ECS::Service'))) {
      expect(DependsOn).toEqual(
        expect.arrayContaining([
          ...idsOf('AWS::ECS::ClusterCapacityProviderAssociations'),
          ...idsOf('AWS::ElasticLoadBalancingV2::ListenerRule'),
        ]),
      );
      expect(DependsOn.filter((id) => idsOf('Custom::AWS').includes(id))).toHaveLength(1);
    }
  });

  it('scale on CPU between the file’s minCapacity and maxCapacity', () => {
    const template = templateOf(name);
    const targets = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    for (const [service, { autoScaling }] of Object.entries(environment.services)) {
      const [targetId] = Object.entries(targets).find(
        ([, { Properties }]) => Properties.ResourceId === `service/${environment.cluster}/${service}`,
      )!;
      expect(targets[targetId]!.Properties).toMatchObject({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: autoScaling.minCapacity,
        MaxCapacity: autoScaling.maxCapacity,
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        ScalingTargetId: { Ref: targetId },
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: autoScaling.targetCpuUtilizationPercent,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleInCooldown: autoScaling.scaleInCooldownSeconds,
          ScaleOutCooldown: autoScaling.scaleOutCooldownSeconds,
        },
      });
    }
  });
});

describe.each(ENVIRONMENTS)('%s: the naming contract with deploy/task-definitions', (name) => {
  const environment = loadEnvironment(name);

  it('a log group for every awslogs-group the files name, with the file’s retention', () => {
    const groups = Object.values(resourcesOf(templateOf(name), 'AWS::Logs::LogGroup'))
      // Named ones: aws-cdk-lib's custom-resource function has one of its own, named after it.
      .filter(({ Properties }) => typeof Properties.LogGroupName === 'string')
      .map(({ Properties }) => [Properties.LogGroupName, Properties.RetentionInDays]);
    const named = Object.values(files).flatMap((file) =>
      file.containerDefinitions.map((container) => container.logConfiguration!.options['awslogs-group']),
    );
    expect(groups.sort()).toEqual([...new Set(named)].sort().map((group) => [group, environment.logs.retentionDays]));
  });

  it('the roles the files pass are the roles the stack creates', () => {
    const template = templateOf(name);
    const roleNames = Object.values(resourcesOf(template, 'AWS::IAM::Role')).map(({ Properties }) => Properties.RoleName);
    for (const file of Object.values(files)) {
      expect(file.taskRoleArn).toBe('${TASK_ROLE_ARN}');
      expect(file.executionRoleArn).toBe('${EXECUTION_ROLE_ARN}');
    }
    expect(roleNames).toEqual(expect.arrayContaining([environment.roles.task, environment.roles.execution, environment.roles.deploy]));
  });

  it('a first revision for every family, with the files’ container names, ports, memory and logs on a public placeholder image', () => {
    const revisions = bootstrapRevisions(name);
    expect(Object.keys(revisions).sort()).toEqual(
      Object.values(files)
        .map((file) => file.family)
        .sort(),
    );
    for (const file of Object.values(files)) {
      const revision = revisions[file.family]!;
      expect(revision.taskRoleArn).toBe(environment.roleArns.task);
      expect(revision.executionRoleArn).toBe(environment.roleArns.execution);
      expect(
        revision.containerDefinitions.map(({ name: container, memory, memoryReservation, portMappings }) => ({
          container,
          memory,
          memoryReservation,
          portMappings,
        })),
      ).toEqual(
        file.containerDefinitions.map(({ name: container, memory, memoryReservation, portMappings }) => ({
          container,
          memory,
          memoryReservation,
          portMappings,
        })),
      );
      for (const [index, container] of revision.containerDefinitions.entries()) {
        expect(container).toMatchObject({
          image: BOOTSTRAP_IMAGE,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': file.containerDefinitions[index]!.logConfiguration!.options['awslogs-group'] },
          },
        });
      }
    }
  });

  it('the load-balanced container of each target group serves its health-check path in the first revision', () => {
    const revisions = bootstrapRevisions(name);
    for (const group of environment.loadBalancer.targetGroups) {
      const family = files[environment.services[group.service]!.taskDefinition]!.family;
      const container = revisions[family]!.containerDefinitions.find(
        (candidate) => candidate.name === group.containerName,
      ) as ContainerFile & {
        command: string[];
      };
      expect(container.portMappings!.map((mapping) => mapping.containerPort)).toContain(group.containerPort);
      const script = container.command.join(' ');
      expect(script).toContain(`httpd -f -v -p ${group.containerPort} -h /tmp/www`);
      expect(script).toContain(`echo ok > '/tmp/www${group.healthCheck.path === '/' ? '/index.html' : group.healthCheck.path}'`);
    }
  });
});
