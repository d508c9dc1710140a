import path from 'node:path';
import { type Environment, loadEnvironment, type RenderedTaskDefinition, renderTaskDefinitions } from '@ping-pong/deploy-config';
import { BOOTSTRAP_IMAGE } from '../src/services';
import { ENVIRONMENTS, type EnvironmentName, resourcesOf, templateOf } from './support';

type Revision = RenderedTaskDefinition['input'];
type Container = NonNullable<Revision['containerDefinitions']>[number];

/**
 * The environment's task-definition files as deploy-config renders them, by
 * file name: the template is bound to the files, not to the stack's code.
 */
const definitionFiles = (environment: Environment) =>
  Object.fromEntries(
    renderTaskDefinitions(environment, { tag: 'test', registry: environment.registry }).map((definition) => [
      path.basename(definition.file),
      definition,
    ]),
  );

/** What a first revision keeps of each container. */
const kept = (containers: readonly Container[]) =>
  containers.map(({ name, memory, memoryReservation, portMappings }) => ({ name, memory, memoryReservation, portMappings }));

const createCall = (properties: Record<string, unknown>) =>
  JSON.parse(properties.Create as string) as { action: string; parameters: Revision };

/** The stack's RegisterTaskDefinition calls (Custom::AWS resources). */
const registrations = (name: EnvironmentName) =>
  Object.values(resourcesOf(templateOf(name), 'Custom::AWS')).filter(
    ({ Properties }) => createCall(Properties).action === 'registerTaskDefinition',
  );

/** The first revisions those calls register, by family. */
function bootstrapRevisions(name: EnvironmentName): Record<string, Revision> {
  return Object.fromEntries(
    registrations(name)
      .map(({ Properties }) => createCall(Properties).parameters)
      .map((revision) => [revision.family, revision]),
  );
}

describe.each(ENVIRONMENTS)('%s: the services', (name) => {
  const environment = loadEnvironment(name);
  const files = definitionFiles(environment);

  it('name their task-definition family, never a revision, and have no DesiredCount (auto scaling owns the count)', () => {
    const services = Object.values(resourcesOf(templateOf(name), 'AWS::ECS::Service')).map(({ Properties }) => Properties);
    expect(services.map((service) => [service.ServiceName, service.TaskDefinition]).sort()).toEqual(
      Object.entries(environment.services)
        .map(([service, settings]) => [service, files[settings.taskDefinition]!.family])
        .sort(),
    );
    expect(services.filter((service) => 'DesiredCount' in service).map((service) => service.ServiceName)).toEqual([]);
    expect(
      services
        .filter((service) => !/^[\w-]+$/.test(String(service.TaskDefinition)))
        .map((service) => `${service.ServiceName}: ${service.TaskDefinition}`),
    ).toEqual([]);
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
    for (const [service, { DependsOn = [] }] of Object.entries(resourcesOf(template, 'AWS::ECS::Service'))) {
      expect({ service, DependsOn }).toEqual({
        service,
        DependsOn: expect.arrayContaining([
          ...idsOf('AWS::ECS::ClusterCapacityProviderAssociations'),
          ...idsOf('AWS::ElasticLoadBalancingV2::ListenerRule'),
        ]),
      });
      expect({ service, firstRevisions: DependsOn.filter((id) => idsOf('Custom::AWS').includes(id)).length }).toEqual({
        service,
        firstRevisions: 1,
      });
    }
  });

  it('scale on CPU between the file’s minCapacity and maxCapacity', () => {
    const template = templateOf(name);
    const targets = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    for (const [service, { autoScaling }] of Object.entries(environment.services)) {
      const [targetId, target] = Object.entries(targets).find(
        ([, { Properties }]) => Properties.ResourceId === `service/${environment.cluster}/${service}`,
      ) ?? [undefined, undefined];
      expect({ service, ...target?.Properties }).toMatchObject({
        service,
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
  const files = definitionFiles(environment);

  it('a log group for every awslogs-group the files name, with the file’s retention', () => {
    const groups = Object.values(resourcesOf(templateOf(name), 'AWS::Logs::LogGroup'))
      // Named ones: aws-cdk-lib's custom-resource function has one of its own, named after it.
      .filter(({ Properties }) => typeof Properties.LogGroupName === 'string')
      .map(({ Properties }) => [Properties.LogGroupName, Properties.RetentionInDays]);
    const named = Object.values(files).flatMap(({ input }) =>
      input.containerDefinitions!.map((container) => container.logConfiguration!.options!['awslogs-group']),
    );
    expect(groups.sort()).toEqual([...new Set(named)].sort().map((group) => [group, environment.logs.retentionDays]));
  });

  it('the roles the files pass are the roles the stack creates', () => {
    const template = templateOf(name);
    const roleNames = Object.values(resourcesOf(template, 'AWS::IAM::Role')).map(({ Properties }) => Properties.RoleName);
    for (const { file, input } of Object.values(files)) {
      expect({ file, taskRoleArn: input.taskRoleArn, executionRoleArn: input.executionRoleArn }).toEqual({
        file,
        taskRoleArn: environment.roleArns.task,
        executionRoleArn: environment.roleArns.execution,
      });
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
    for (const { family, input } of Object.values(files)) {
      const revision = revisions[family]!;
      expect({ family, taskRoleArn: revision.taskRoleArn, executionRoleArn: revision.executionRoleArn }).toEqual({
        family,
        taskRoleArn: environment.roleArns.task,
        executionRoleArn: environment.roleArns.execution,
      });
      expect({ family, containers: kept(revision.containerDefinitions!) }).toEqual({
        family,
        containers: kept(input.containerDefinitions!),
      });
      for (const [index, container] of revision.containerDefinitions!.entries()) {
        expect({ family, ...container }).toMatchObject({
          family,
          name: input.containerDefinitions![index]!.name,
          image: BOOTSTRAP_IMAGE,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': input.containerDefinitions![index]!.logConfiguration!.options!['awslogs-group'] },
          },
        });
      }
    }
  });

  it('the first revisions are registered at creation only: no update or delete call', () => {
    const calls = registrations(name);
    expect(calls).toHaveLength(2);
    for (const { Properties } of calls) {
      const { family } = createCall(Properties).parameters;
      expect({ family, update: Properties.Update, delete: Properties.Delete }).toEqual({ family, update: undefined, delete: undefined });
    }
  });

  it('the load-balanced container of each target group serves its health-check path in the first revision', () => {
    const revisions = bootstrapRevisions(name);
    for (const group of environment.loadBalancer.targetGroups) {
      const family = files[environment.services[group.service]!.taskDefinition]!.family;
      const container = revisions[family]!.containerDefinitions!.find((candidate) => candidate.name === group.containerName);
      const script = container?.command?.join(' ') ?? '';
      expect({
        group: group.name,
        maps: container?.portMappings?.some((mapping) => mapping.containerPort === group.containerPort),
        serves: script.includes(`httpd -f -v -p ${group.containerPort} -h /tmp/www`),
        answers: script.includes(`echo ok > '/tmp/www${group.healthCheck.path === '/' ? '/index.html' : group.healthCheck.path}'`),
      }).toEqual({ group: group.name, maps: true, serves: true, answers: true });
    }
  });
});
