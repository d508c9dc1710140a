import { loadEnvironment } from '@ping-pong/deploy-config';
import { ENVIRONMENTS, resourcesOf, templateOf } from './support';

type Alarm = {
  AlarmName: string;
  MetricName: string;
  Namespace: string;
  Dimensions: { Name: string; Value: unknown }[];
  Threshold: number;
  ExtendedStatistic?: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
};

describe.each(ENVIRONMENTS)('%s: alarms and dashboard', (name) => {
  const environment = loadEnvironment(name);
  const alarms = () =>
    Object.values(resourcesOf(templateOf(name), 'AWS::CloudWatch::Alarm')).map(({ Properties }) => Properties as unknown as Alarm);
  const prefix = environment.namePrefix;

  it('alarm on the load balancer’s and the targets’ 5xx at the file’s threshold', () => {
    const fiveXx = alarms().filter(({ MetricName }) => MetricName.includes('5XX'));
    expect(fiveXx.map(({ MetricName, Namespace, Threshold, AlarmName }) => [AlarmName, Namespace, MetricName, Threshold])).toEqual([
      [`${prefix}-load-balancer-5xx`, 'AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', environment.alarms.http5xxPerMinute],
      [`${prefix}-targets-5xx`, 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', environment.alarms.http5xxPerMinute],
    ]);
  });

  it('alarm on unhealthy targets and p99 response time per target group', () => {
    for (const group of environment.loadBalancer.targetGroups) {
      const ofGroup = alarms().filter(({ AlarmName }) => AlarmName.startsWith(`${prefix}-${group.name}-`));
      expect({
        group: group.name,
        alarms: ofGroup.map(({ MetricName, Threshold, ExtendedStatistic }) => [MetricName, Threshold, ExtendedStatistic]),
      }).toEqual({
        group: group.name,
        alarms: [
          ['UnHealthyHostCount', 1, undefined],
          ['TargetResponseTime', environment.alarms.p99ResponseTimeSeconds, 'p99'],
        ],
      });
      for (const { AlarmName, Dimensions } of ofGroup)
        expect({ AlarmName, dimensions: Dimensions.map(({ Name }) => Name).sort() }).toEqual({
          AlarmName,
          dimensions: ['LoadBalancer', 'TargetGroup'],
        });
    }
  });

  it('alarm on each service’s CPU and memory at the file’s thresholds', () => {
    for (const service of Object.keys(environment.services)) {
      const ofService = alarms().filter(({ Dimensions }) =>
        Dimensions.some(({ Name, Value }) => Name === 'ServiceName' && Value === service),
      );
      const dimensions = [
        { Name: 'ClusterName', Value: environment.cluster },
        { Name: 'ServiceName', Value: service },
      ];
      expect(ofService.map(({ Namespace, MetricName, Threshold, Dimensions }) => [Namespace, MetricName, Threshold, Dimensions])).toEqual([
        ['AWS/ECS', 'CPUUtilization', environment.alarms.cpuPercent, dimensions],
        ['AWS/ECS', 'MemoryUtilization', environment.alarms.memoryPercent, dimensions],
      ]);
    }
  });

  it('every alarm notifies the topic that mails alarms.email, when it fires and when it clears', () => {
    const template = templateOf(name);
    const [topicId] = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: environment.alarms.email,
      TopicArn: { Ref: topicId },
    });
    expect(alarms()).toHaveLength(2 + 2 * environment.loadBalancer.targetGroups.length + 2 * Object.keys(environment.services).length);
    for (const { AlarmName, AlarmActions, OKActions } of alarms()) {
      expect({ AlarmName, AlarmActions, OKActions }).toEqual({
        AlarmName,
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      });
    }
  });

  it('the topic takes publications from this account’s alarms only, and only over TLS', () => {
    const [policy] = Object.values(resourcesOf(templateOf(name), 'AWS::SNS::TopicPolicy'));
    expect((policy!.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': environment.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${environment.region}:${environment.account}:alarm:*` },
        },
      }),
    ]);
  });

  it('instances that fail to launch or terminate notify the same topic', () => {
    const template = templateOf(name);
    const [topicId] = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [
        {
          TopicARN: { Ref: topicId },
          NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH_ERROR', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR'],
        },
      ],
    });
  });

  it('the dashboard shows every alarm', () => {
    const template = templateOf(name);
    const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboard!.Properties.DashboardName).toBe(prefix);
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const id of Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) expect(body).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
  });
});
