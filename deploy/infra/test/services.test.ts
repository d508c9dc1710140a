import path from 'node:path';
import {
  BOOTSTRAP_IMAGE,
  type Environment,
  loadEnvironment,
  type RenderedTaskDefinition,
  renderTaskDefinitions,
} from '@ping-pong/deploy-config';
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
            TargetGroupArn: { Ref: groupIds[environment.targetGroupNames[group.name]!] },
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

  it('come after the first revision of their own family, the listener and its rules, and the cluster’s capacity-provider association', () => {
    const template = templateOf(name);
    const idsOf = (type: string) => Object.keys(resourcesOf(template, type));
    const registrationOf = Object.fromEntries(
      Object.entries(resourcesOf(template, 'Custom::AWS'))
        .filter(([, { Properties }]) => createCall(Properties).action === 'registerTaskDefinition')
        .map(([id, { Properties }]) => [id, createCall(Properties).parameters.family]),
    );
    for (const { Properties, DependsOn = [] } of Object.values(resourcesOf(template, 'AWS::ECS::Service'))) {
      const service = Properties.ServiceName as string;
      expect({ service, DependsOn }).toEqual({
        service,
        DependsOn: expect.arrayContaining([
          ...idsOf('AWS::ECS::ClusterCapacityProviderAssociations'),
          // The listener the rules belong to (with HTTPS, not the one on port 80 that only redirects).
          ...Object.entries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener'))
            .filter(([, { Properties: listener }]) => listener.Port === environment.loadBalancer.listener.port)
            .map(([id]) => id),
          ...idsOf('AWS::ElasticLoadBalancingV2::ListenerRule'),
        ]),
      });
      expect({ service, firstRevisionOf: DependsOn.filter((id) => id in registrationOf).map((id) => registrationOf[id]) }).toEqual({
        service,
        firstRevisionOf: [Properties.TaskDefinition],
      });
    }
    expect(idsOf('AWS::ECS::ClusterCapacityProviderAssociations')).toHaveLength(1);
  });

  it('the first revisions are registered by a function that may pass exactly the task and execution roles they name, to ECS tasks only', () => {
    const template = templateOf(name);
    const roleNameOf = Object.fromEntries(
      Object.entries(resourcesOf(template, 'AWS::IAM::Role')).map(([id, { Properties }]) => [id, Properties.RoleName]),
    );
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
    // Every AwsCustomResource shares one function and role; these are the statements that role gets for the revisions.
    const statements = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ServicesBootstrap'))
      .flatMap(([, { Properties }]) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.length).toBeGreaterThan(0);
    const passRole = statements.filter(({ Action }) => [Action].flat().includes('iam:PassRole'));
    expect(passRole).toHaveLength(Object.keys(bootstrapRevisions(name)).length);
    for (const statement of passRole) {
      const passed = (statement.Resource as { 'Fn::GetAtt': [string, string] }[]).map(({ 'Fn::GetAtt': [id] }) => roleNameOf[id]);
      expect({ passed: passed.sort(), condition: statement.Condition }).toEqual({
        passed: [environment.roles.execution, environment.roles.task].sort(),
        condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      });
    }
    for (const revision of Object.values(bootstrapRevisions(name))) {
      expect([revision.taskRoleArn, revision.executionRoleArn]).toEqual([environment.roleArns.task, environment.roleArns.execution]);
    }
    // Nothing else that role may do is a PassRole on anything wider.
    const everyStatement = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      ({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(everyStatement.filter(({ Action, Resource }) => [Action].flat().includes('iam:PassRole') && Resource === '*')).toEqual([]);
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
