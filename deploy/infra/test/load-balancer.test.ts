import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadEnvironment, LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, type LoadBalancerSettings } from '@ping-pong/deploy-config';
import { LoadBalancer } from '../src/load-balancer';
import { Network } from '../src/network';
import { bareStack, ENVIRONMENTS, resourcesOf, templateOf } from './support';

describe.each(ENVIRONMENTS)('%s: the load balancer is the environment file’s', (name) => {
  const environment = loadEnvironment(name);
  const { loadBalancer } = environment;

  it('is internet-facing, named as the file says, drops invalid headers and waits the idle timeout deadlines are checked against', () => {
    templateOf(name).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Name: environment.loadBalancerName,
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
    templateOf(name).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: String(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS) }]),
    });
  });

  it('has the file’s target groups: instance targets, health checks, deregistration delay', () => {
    const groups = Object.values(resourcesOf(templateOf(name), 'AWS::ElasticLoadBalancingV2::TargetGroup')).map(
      ({ Properties }) => Properties,
    );
    expect(groups).toHaveLength(loadBalancer.targetGroups.length);
    for (const group of loadBalancer.targetGroups) {
      expect(groups).toContainEqual(
        expect.objectContaining({
          Name: environment.targetGroupNames[group.name],
          TargetType: 'instance',
          Protocol: 'HTTP',
          Port: group.containerPort,
          HealthCheckPath: group.healthCheck.path,
          Matcher: { HttpCode: group.healthCheck.matcher },
          HealthCheckIntervalSeconds: group.healthCheck.intervalSeconds,
          HealthyThresholdCount: group.healthCheck.healthyThresholdCount,
          UnhealthyThresholdCount: group.healthCheck.unhealthyThresholdCount,
          TargetGroupAttributes: expect.arrayContaining([
            { Key: 'deregistration_delay.timeout_seconds', Value: String(group.deregistrationDelaySeconds) },
          ]),
        }),
      );
    }
  });

  it('routes by the file’s rules, in priority, and sends the rest to the default group', () => {
    const template = templateOf(name);
    const groupIds = Object.fromEntries(
      Object.entries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup')).map(([id, { Properties }]) => [
        id,
        // The file's name of the group, which the rules use.
        Object.keys(environment.targetGroupNames).find((group) => environment.targetGroupNames[group] === Properties.Name),
      ]),
    );
    const forwardedTo = (actions: unknown) => groupIds[(actions as [{ TargetGroupArn: { Ref: string } }])[0].TargetGroupArn.Ref];

    const rules = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')).map(({ Properties }) => ({
      priority: Properties.Priority,
      pathPatterns: (Properties.Conditions as [{ Field: string; PathPatternConfig: { Values: string[] } }])[0].PathPatternConfig.Values,
      targetGroup: forwardedTo(Properties.Actions),
    }));
    expect(rules.sort((a, b) => Number(a.priority) - Number(b.priority))).toEqual(loadBalancer.rules);

    const listener = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')).find(
      ({ Properties }) => Properties.Port === loadBalancer.listener.port,
    )!;
    expect(listener.Properties.Protocol).toBe(loadBalancer.listener.protocol);
    expect(forwardedTo(listener.Properties.DefaultActions)).toBe(loadBalancer.defaultTargetGroup);
  });

  it('opens only its listener ports to the internet, and talks only to the instances, on the dynamic host ports', () => {
    const template = templateOf(name);
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const [albGroup] = Object.entries(groups).find(([, { Properties }]) =>
      String(Properties.GroupDescription).startsWith('The load balancer'),
    )!;
    const [instanceGroup] = Object.entries(groups).find(([, { Properties }]) =>
      String(Properties.GroupDescription).startsWith('The ECS instances'),
    )!;
    const ports = loadBalancer.listener.protocol === 'HTTPS' ? [loadBalancer.listener.port, 80] : [loadBalancer.listener.port];

    expect(groups[albGroup]!.Properties.SecurityGroupIngress).toEqual(
      ports.map((port) => expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: port, ToPort: port })),
    );
    expect(Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).map(({ Properties }) => Properties)).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
        DestinationSecurityGroupId: { 'Fn::GetAtt': [instanceGroup, 'GroupId'] },
        FromPort: 32768,
        ToPort: 65535,
      }),
    ]);
    expect(groups[albGroup]!.Properties.SecurityGroupEgress).toBeUndefined();
    // The instances take nothing from anywhere but the load balancer.
    expect(groups[instanceGroup]!.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).map(({ Properties }) => Properties)).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [instanceGroup, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 32768,
        ToPort: 65535,
      }),
    ]);
  });

  it('outputs the URL of the board', () => {
    const scheme = loadBalancer.listener.protocol.toLowerCase();
    templateOf(name).hasOutput('Url', {
      Value: { 'Fn::Join': ['', [`${scheme}://`, { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'DNSName'] }]] },
    });
  });
});

describe('HTTPS', () => {
  it('production listens on 443 with the certificate its file names, and port 80 answers a permanent redirect there', () => {
    const { listener } = loadEnvironment('production').loadBalancer;
    expect(listener.protocol).toBe('HTTPS');
    const template = templateOf('production');

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: listener.protocol === 'HTTPS' && listener.certificateArn }],
      SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  it('staging, whose file names no certificate, has one HTTP listener', () => {
    const template = templateOf('staging');
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });
});

describe('the load balancer alone, in a bare stack', () => {
  it('an HTTPS listener on another port than 443 gets the redirect from 80 to that port, and the URL names it', () => {
    const production = loadEnvironment('production');
    const settings: LoadBalancerSettings = {
      ...production.loadBalancer,
      listener: { protocol: 'HTTPS', port: 8443, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/test' },
    };
    const stack = bareStack();
    const network = new Network(stack, 'Network', { environment: production });
    new LoadBalancer(stack, 'LoadBalancer', { settings, names: production, network });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTPS' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '8443', StatusCode: 'HTTP_301' } }],
    });
    template.hasOutput('Url', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'DNSName'] }, ':8443']] },
    });
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup')).flatMap(
      ({ Properties }) => (Properties.SecurityGroupIngress as { FromPort: number }[] | undefined) ?? [],
    );
    expect(ingress.map(({ FromPort }) => FromPort)).toEqual([8443, 80]);
  });
});
