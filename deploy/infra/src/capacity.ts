import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Environment } from '@ping-pong/deploy-config';
import type { Network } from './network';
import { ECS_RESERVED_MEMORY_MIB } from './sizing';

/**
 * The cluster and its EC2 capacity: an Auto Scaling group across the zones
 * running the ECS-optimized Amazon Linux 2023 AMI (its SSM parameter is
 * resolved by CloudFormation at deploy time), IMDSv2 only with a hop limit of
 * 1 so containers in bridge mode cannot reach the instance role, encrypted
 * volumes, and a capacity provider that scales the group to what the tasks
 * need (from zero instances if `capacity.minInstances` is 0) and drains an
 * instance's tasks before it goes.
 */
export interface CapacityProps {
  /** `cluster` (its name) and `capacity` (the group's bounds). */
  environment: Pick<Environment, 'cluster' | 'capacity'>;
  /** What sizing.ts chose for the task definitions' peak. */
  instanceType: string;
  network: Network;
}

export class Capacity extends Construct {
  readonly cluster: ecs.Cluster;
  readonly capacityProvider: ecs.AsgCapacityProvider;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, { environment, instanceType, network }: CapacityProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      clusterName: environment.cluster,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const userData = ec2.UserData.forLinux();
    userData.addCommands(`echo ECS_RESERVED_MEMORY=${ECS_RESERVED_MEMORY_MIB} >> /etc/ecs/ecs.config`);
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      instanceType: new ec2.InstanceType(instanceType),
      userData,
      // What the ECS agent needs; the cluster adds the statements when the capacity provider joins it.
      role: new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
      securityGroup: network.instanceSecurityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      launchTemplate,
      minCapacity: environment.capacity.minInstances,
      maxCapacity: environment.capacity.maxInstances,
    });

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      targetCapacityPercent: 100,
      // Off, so the group's instances are not protected from scale-in: with it on, a rollback or teardown
      // waits forever on instances nothing unprotects once the capacity provider is gone (deploy/README.md,
      // "When the first deploy fails"). Managed draining still moves the tasks off an instance before it goes.
      enableManagedTerminationProtection: false,
      enableManagedDraining: true,
    });
    this.cluster.addAsgCapacityProvider(this.capacityProvider);
    this.cluster.addDefaultCapacityProviderStrategy([{ capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 }]);
  }
}
