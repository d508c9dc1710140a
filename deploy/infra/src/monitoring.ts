import { Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Environment } from '@ping-pong/deploy-config';
import type { Capacity } from './capacity';
import type { LoadBalancer } from './load-balancer';

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The tutorial's wish-list "set alarms": the load balancer's and the targets'
 * 5xx, unhealthy targets and p99 response time per target group, and each
 * service's CPU and memory, all notifying one SNS topic that e-mails the
 * environment's `alarms.email` (so do instances that fail to launch or
 * terminate); and a dashboard of the same alarms.
 */
export interface MonitoringProps {
  /** Its `alarms` thresholds, `services` and names. */
  environment: Environment;
  loadBalancer: LoadBalancer;
  capacity: Capacity;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, { environment, loadBalancer, capacity }: MonitoringProps) {
    super(scope, id);
    const { alarms: thresholds, cluster, namePrefix: prefix } = environment;
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `${prefix} alarms`, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(thresholds.email));
    // The topic's policy replaces SNS's default one (which let the account's services publish): CloudWatch is allowed back, for this account's alarms only.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': environment.account },
          ArnLike: { 'aws:SourceArn': `arn:${Stack.of(this).partition}:cloudwatch:${environment.region}:${environment.account}:alarm:*` },
        },
      }),
    );
    // Instances that fail to launch or terminate: managed scaling's routine launches are not worth a mail.
    (capacity.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).notificationConfigurations = [
      {
        topicArn: this.topic.topicArn,
        notificationTypes: [autoscaling.ScalingEvent.INSTANCE_LAUNCH_ERROR, autoscaling.ScalingEvent.INSTANCE_TERMINATE_ERROR],
      },
    ];

    const widgets: cloudwatch.IWidget[] = [];
    const alarm = (name: string, description: string, metric: cloudwatch.Metric, props: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const alarmName = `${prefix}-${name}`;
      const created = metric.createAlarm(this, name, {
        alarmName,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      widgets.push(new cloudwatch.AlarmWidget({ title: alarmName, alarm: created, width: 8 }));
    };

    const alb = loadBalancer.loadBalancer.metrics;
    alarm(
      'load-balancer-5xx',
      `The load balancer answered ${thresholds.http5xxPerMinute} or more 5xx of its own a minute, three minutes running (no healthy target, or targets failing to answer)`,
      alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: MINUTE, statistic: 'Sum' }),
      { threshold: thresholds.http5xxPerMinute },
    );
    alarm(
      'targets-5xx',
      `The services answered ${thresholds.http5xxPerMinute} or more 5xx a minute, three minutes running (a hop of the chain failing)`,
      alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: MINUTE, statistic: 'Sum' }),
      { threshold: thresholds.http5xxPerMinute },
    );
    for (const [name, group] of loadBalancer.targetGroups) {
      alarm(
        `${name}-unhealthy`,
        `${name} has had an unhealthy target for three minutes`,
        group.metrics.unhealthyHostCount({ period: MINUTE, statistic: 'Maximum' }),
      );
      alarm(
        `${name}-p99`,
        `p99 of ${name}'s response time has been above ${thresholds.p99ResponseTimeSeconds} s for ten minutes`,
        group.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p99' }),
        {
          threshold: thresholds.p99ResponseTimeSeconds,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
      );
    }
    for (const service of Object.keys(environment.services)) {
      for (const [metricName, threshold, what] of [
        ['CPUUtilization', thresholds.cpuPercent, 'CPU'],
        ['MemoryUtilization', thresholds.memoryPercent, 'memory'],
      ] as const) {
        alarm(
          `${service}-${what.toLowerCase()}`,
          `${service}'s average ${what} has been above ${threshold}% of what its tasks reserve for fifteen minutes`,
          new cloudwatch.Metric({
            namespace: 'AWS/ECS',
            metricName,
            dimensionsMap: { ClusterName: cluster, ServiceName: service },
            period: FIVE_MINUTES,
            statistic: 'Average',
          }),
          { threshold, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
        );
      }
    }

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: prefix });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests a minute',
        left: [alb.requestCount({ period: MINUTE, statistic: 'Sum' })],
        width: 24,
      }),
      ...widgets,
    );
  }
}
