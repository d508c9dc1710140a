import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Environment } from '@ping-pong/deploy-config';

/**
 * The host ports Docker picks for `hostPort: 0` in bridge mode: the kernel's
 * ephemeral range on the ECS-optimized AMI (32768-60999), up to Docker's own
 * fallback (49153-65535).
 */
const DYNAMIC_HOST_PORTS = ec2.Port.tcpRange(32768, 65535);

/**
 * A VPC of public subnets only, one per availability zone, and no NAT
 * gateway: the instances reach ECR, ECS and CloudWatch through the internet
 * gateway with their own public addresses, and nothing reaches them except
 * the load balancer on the dynamic host ports. Rejected traffic is logged.
 */
export interface NetworkProps {
  /** `network` (CIDR, zones) and `logs` (the flow log's retention). */
  environment: Pick<Environment, 'network' | 'logs'>;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly instanceSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, { environment }: NetworkProps) {
    super(scope, id);
    const flowLogs = new logs.LogGroup(this, 'RejectedTraffic', {
      retention: environment.logs.retentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(environment.network.cidr),
      availabilityZones: environment.network.availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
      flowLogs: {
        rejected: { trafficType: ec2.FlowLogTrafficType.REJECT, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) },
      },
    });

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancer', {
      vpc: this.vpc,
      description: 'The load balancer: its listener ports from the internet, out only to the instances',
      allowAllOutbound: false,
    });
    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'Instances', {
      vpc: this.vpc,
      description: 'The ECS instances: the dynamic host ports from the load balancer only',
      allowAllOutbound: true,
    });
    this.loadBalancerSecurityGroup.connections.allowTo(this.instanceSecurityGroup, DYNAMIC_HOST_PORTS, 'to the tasks');
  }

  /** Opens a listener port of the load balancer to the internet. */
  openToTheInternet(port: number): void {
    this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `listener ${port} from the internet`);
  }
}
