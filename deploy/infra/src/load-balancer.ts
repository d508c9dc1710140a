import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, type LoadBalancerSettings, type ResourceNames } from '@ping-pong/deploy-config';
import type { Network } from './network';

/** Port 80, where an HTTPS load balancer redirects from. */
const HTTP_PORT = 80;

/**
 * The internet-facing ALB exactly as the environment file's `loadBalancer`
 * block says: instance target groups with their health checks and
 * deregistration delay, the listener's path rules and default group. With
 * HTTPS, port 80 answers a permanent redirect to the listener.
 */
export interface LoadBalancerProps {
  /** The environment file's `loadBalancer` block. */
  settings: LoadBalancerSettings;
  /** What the load balancer and each target group are called in AWS. */
  names: Pick<ResourceNames, 'loadBalancerName' | 'targetGroupNames'>;
  network: Network;
}

export class LoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener with its path rules, which addTargetGroups creates inside it: what a service waits for. */
  readonly listener: elbv2.ApplicationListener;
  /** By the file's target-group name. */
  readonly targetGroups = new Map<string, elbv2.ApplicationTargetGroup>();

  constructor(scope: Construct, id: string, { settings, names, network }: LoadBalancerProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      internetFacing: true,
      loadBalancerName: names.loadBalancerName,
      securityGroup: network.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      // What the services' REQUEST_DEADLINE_MS is validated against, so the chain always answers first.
      idleTimeout: Duration.seconds(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS),
    });

    for (const group of settings.targetGroups) {
      this.targetGroups.set(
        group.name,
        new elbv2.ApplicationTargetGroup(this, group.name, {
          vpc: network.vpc,
          targetGroupName: names.targetGroupNames[group.name],
          targetType: elbv2.TargetType.INSTANCE,
          protocol: elbv2.ApplicationProtocol.HTTP,
          port: group.containerPort,
          deregistrationDelay: Duration.seconds(group.deregistrationDelaySeconds),
          healthCheck: {
            path: group.healthCheck.path,
            healthyHttpCodes: group.healthCheck.matcher,
            interval: Duration.seconds(group.healthCheck.intervalSeconds),
            healthyThresholdCount: group.healthCheck.healthyThresholdCount,
            unhealthyThresholdCount: group.healthCheck.unhealthyThresholdCount,
          },
        }),
      );
    }

    const { listener } = settings;
    this.listener = this.loadBalancer.addListener(listener.protocol, {
      port: listener.port,
      ...(listener.protocol === 'HTTPS'
        ? {
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates: [elbv2.ListenerCertificate.fromArn(listener.certificateArn)],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          }
        : { protocol: elbv2.ApplicationProtocol.HTTP }),
      defaultTargetGroups: [this.targetGroups.get(settings.defaultTargetGroup)!],
      open: false,
    });
    network.openToTheInternet(listener.port);
    for (const rule of settings.rules) {
      this.listener.addTargetGroups(`Rule${rule.priority}`, {
        priority: rule.priority,
        conditions: [elbv2.ListenerCondition.pathPatterns(rule.pathPatterns)],
        targetGroups: [this.targetGroups.get(rule.targetGroup)!],
      });
    }

    if (listener.protocol === 'HTTPS') {
      this.loadBalancer.addListener('RedirectToHttps', {
        port: HTTP_PORT,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: String(listener.port), permanent: true }),
        open: false,
      });
      network.openToTheInternet(HTTP_PORT);
    }

    const defaultPort = listener.protocol === 'HTTPS' ? 443 : 80;
    const host =
      listener.port === defaultPort ? this.loadBalancer.loadBalancerDnsName : `${this.loadBalancer.loadBalancerDnsName}:${listener.port}`;
    new CfnOutput(scope, 'Url', {
      description:
        listener.protocol === 'HTTPS'
          ? "The board. The certificate names your domain: point the domain's DNS (CNAME or alias) at this host."
          : 'The board',
      value: `${listener.protocol.toLowerCase()}://${host}`,
    });
  }
}
