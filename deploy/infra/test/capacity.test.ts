import { loadEnvironment } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { Match } from 'aws-cdk-lib/assertions';
import { loadStackInput } from '../src/stack-input';
import {
  DEFAULT_INSTANCE_TYPES,
  ECS_RESERVED_MEMORY_MIB,
  instancesFor,
  peakTasks,
  schedulableMemory,
  sizeCapacity,
  taskMemory,
} from '../src/sizing';
import { ENVIRONMENTS, resourcesOf, templateOf } from './support';

const problemOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('sizing the instances from the task definitions’ memory', () => {
  it('a task reserves its containers’ memoryReservation, or their memory where they reserve none, or the task-level memory', () => {
    expect(taskMemory({ family: 'f', containerDefinitions: [{ memoryReservation: 300, memory: 512 }, { memory: 128 }] })).toBe(428);
    expect(taskMemory({ family: 'f', memory: '1024', containerDefinitions: [{ memoryReservation: 300 }] })).toBe(1024);
  });

  it('first-fit decreasing packs the peak onto as few instances as it can', () => {
    expect(
      instancesFor(
        [
          { service: 'a', family: 'a', memory: 1200, count: 3 },
          { service: 'b', family: 'b', memory: 300, count: 4 },
        ],
        2500,
      ),
    ).toBe(2);
  });

  it.each(ENVIRONMENTS)('%s: the chosen type places a rolling deploy at maximumPercent with every service at maxCapacity', (name) => {
    const { environment, sizing } = loadStackInput(name);

    // The peak: maxCapacity × maximumPercent tasks per service, each reserving what its file says.
    expect(sizing.peak.map(({ service, count }) => ({ service, count }))).toEqual(
      sizing.peak.map(({ service }) => {
        const { autoScaling, deploymentConfiguration } = environment.services[service]!;
        return { service, count: Math.ceil((autoScaling.maxCapacity * deploymentConfiguration.maximumPercent) / 100) };
      }),
    );
    expect(sizing.peakInstances).toBeLessThanOrEqual(environment.capacity.maxInstances);
    // Every task fits on one instance, and the peak's memory fits on the instances there may be.
    const total = sizing.peak.reduce((sum, task) => sum + task.memory * task.count, 0);
    expect(Math.max(...sizing.peak.map((task) => task.memory))).toBeLessThanOrEqual(sizing.schedulableMemory);
    expect(total).toBeLessThanOrEqual(sizing.schedulableMemory * environment.capacity.maxInstances);
    // And it is the smallest default that does.
    if (sizing.instanceType !== 't3.small')
      expect(instancesFor(sizing.peak, schedulableMemory('t3.small'))).toBeGreaterThan(environment.capacity.maxInstances);
  });

  it('more memory in a task definition makes the default type larger: nothing is hard-coded to today’s numbers', () => {
    const { environment, taskDefinitions } = loadStackInput('staging');
    const before = sizeCapacity(environment, taskDefinitions).instanceType;
    const node = taskDefinitions.find((definition) => definition.family === 'ping-pong-staging-node')!;
    for (const container of node.input.containerDefinitions!) container.memoryReservation = 4 * container.memoryReservation!;
    const after = sizeCapacity(environment, taskDefinitions).instanceType;

    const rank = (type: string) => DEFAULT_INSTANCE_TYPES.indexOf(type as (typeof DEFAULT_INSTANCE_TYPES)[number]);
    expect(rank(after)).toBeGreaterThan(rank(before));
  });

  it('a peak that cannot fit under maxInstances is refused, naming the field and the need', () => {
    const { environment, taskDefinitions } = loadStackInput('production');
    const narrow = { ...environment, capacity: { ...environment.capacity, instanceType: 't3.small', maxInstances: 1 } };
    const [client, node] = peakTasks(environment, taskDefinitions);
    const needed = instancesFor(peakTasks(environment, taskDefinitions), schedulableMemory('t3.small'));
    expect(needed).toBeGreaterThan(1);
    expect(problemOf(() => sizeCapacity(narrow, taskDefinitions))).toBe(
      'deploy/environments/production.json: capacity.maxInstances: 1 t3.small cannot place the peak of a rolling deploy at full scale, ' +
        `${client!.count} × ping-pong-production-client (${client!.memory} MiB), ${node!.count} × ping-pong-production-node (${node!.memory} MiB): it needs ${needed}`,
    );
  });

  it('a task bigger than any instance, and an instance type it cannot size, are refused', () => {
    const { environment, taskDefinitions } = loadStackInput('staging');
    expect(
      problemOf(() => sizeCapacity({ ...environment, capacity: { ...environment.capacity, instanceType: 'x9.huge' } }, taskDefinitions)),
    ).toMatch(
      /^deploy\/environments\/staging\.json: capacity\.instanceType: x9\.huge is not one deploy\/infra can size \(known: t3\.small, /,
    );
    const node = taskDefinitions.find((definition) => definition.family === 'ping-pong-staging-node')!;
    node.input.containerDefinitions![0]!.memoryReservation = 20_000;
    expect(problemOf(() => sizeCapacity(environment, taskDefinitions))).toMatch(
      `capacity.instanceType: a ping-pong-staging-node task reserves ${taskMemory(node.input)} MiB, more than a t3.xlarge registers for tasks (15308 MiB)`,
    );
  });

  it('the peak is computed from the files: maxCapacity × maximumPercent per service', () => {
    const { environment, taskDefinitions } = loadStackInput('production');
    // The reservations as the task-definition files state them, summed per task.
    const reserved = (family: string) =>
      taskDefinitions
        .find((definition) => definition.family === family)!
        .input.containerDefinitions!.reduce((sum, container) => sum + container.memoryReservation!, 0);
    expect(peakTasks(environment, taskDefinitions)).toEqual([
      {
        service: 'microservice-ping-pong-client-service',
        family: 'ping-pong-production-client',
        memory: reserved('ping-pong-production-client'),
        count: 8,
      },
      {
        service: 'microservice-ping-pong-node-service',
        family: 'ping-pong-production-node',
        memory: reserved('ping-pong-production-node'),
        count: 12,
      },
    ]);
  });
});

describe.each(ENVIRONMENTS)('%s: the cluster and its EC2 capacity', (name) => {
  const environment = loadEnvironment(name);

  it('is the file’s cluster, with Container Insights', () => {
    templateOf(name).hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: environment.cluster,
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('launches the sized type from the ECS-optimized AL2023 AMI resolved at deploy time, IMDSv2 only with hop limit 1, encrypted volumes', () => {
    const template = templateOf(name);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: loadStackInput(name).sizing.instanceType,
        ImageId: { Ref: Match.stringLikeRegexp('^SsmParameterValueawsserviceecsoptimizedamiamazonlinux2023recommendedimageid') },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) }],
      }),
    });
    template.hasParameter('*', {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    });
    const userData = JSON.stringify(Object.values(resourcesOf(template, 'AWS::EC2::LaunchTemplate'))[0]!.Properties);
    expect(userData).toContain(`echo ECS_RESERVED_MEMORY=${ECS_RESERVED_MEMORY_MIB} >> /etc/ecs/ecs.config`);
  });

  it('spreads the Auto Scaling group over the file’s zones, between minInstances and maxInstances, with no desired count', () => {
    const template = templateOf(name);
    const group = Object.values(resourcesOf(template, 'AWS::AutoScaling::AutoScalingGroup'))[0]!.Properties;
    expect(group).toMatchObject({ MinSize: String(environment.capacity.minInstances), MaxSize: String(environment.capacity.maxInstances) });
    expect(group).not.toHaveProperty('DesiredCapacity');
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    expect((group.VPCZoneIdentifier as { Ref: string }[]).map(({ Ref }) => subnets[Ref]!.Properties.AvailabilityZone)).toEqual(
      environment.network.availabilityZones,
    );
  });

  it('has a capacity provider whose managed scaling gives the services their instances, even from minInstances 0', () => {
    const template = templateOf(name);
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 } }),
    });
    // The services use that provider (and none other), so CloudFormation's wait for their steady state cannot starve.
    const [providerId] = Object.keys(resourcesOf(template, 'AWS::ECS::CapacityProvider'));
    for (const { Properties } of Object.values(resourcesOf(template, 'AWS::ECS::Service'))) {
      expect(Properties.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: providerId }, Weight: 1 }]);
    }
  });

  it('can always be deleted: no scale-in protection (a rollback or teardown would wait on protected instances forever), draining kept', () => {
    const template = templateOf(name);
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'DISABLED', ManagedDraining: 'ENABLED' }),
    });
    const group = Object.values(resourcesOf(template, 'AWS::AutoScaling::AutoScalingGroup'))[0]!.Properties;
    expect(group.NewInstancesProtectedFromScaleIn ?? false).toBe(false);
  });

  it('has public subnets only and no NAT gateway', () => {
    const template = templateOf(name);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', environment.network.availabilityZones.length);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: environment.network.cidr });
    const subnets = Object.entries(resourcesOf(template, 'AWS::EC2::Subnet'));
    expect(subnets.filter(([, { Properties }]) => Properties.MapPublicIpOnLaunch !== true).map(([id]) => id)).toEqual([]);
  });
});
