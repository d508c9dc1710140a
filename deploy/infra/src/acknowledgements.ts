import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentStack } from './stack';

/**
 * A validation finding accepted on purpose: the rule (`<plugin>::<id>`, as
 * the synthesis report names it, or `cfn-lint::<id>`), where (a construct
 * path below the stack; `*` stands for any run of characters within one
 * segment), and why. cdk-nag's AwsSolutions findings stop the synthesis
 * unless listed here; tests check that each entry still matches a finding.
 */
export interface Acknowledgement {
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
}

const ZONES_ON_PURPOSE = 'The zones are named in the environment file on purpose, so synthesis needs no lookup and no credentials.';

/** Rules of cfn-lint, which reads its acknowledgements from each resource's Metadata. */
export const CFN_LINT = 'cfn-lint::';

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  {
    rule: 'AwsSolutions::AwsSolutions-EC23',
    path: 'Network/LoadBalancer',
    reason: 'The public load balancer of a public website: its listener ports (80, 443) are open to the internet, nothing else is.',
  },
  {
    rule: 'AwsSolutions::AwsSolutions-ELB2',
    path: 'LoadBalancer/LoadBalancer',
    reason:
      'No access logs: they need an S3 bucket, which keeps the stack from being deleted while it holds logs. The client and node-john log every request they get with its request id, and the 5xx the balancer answers itself raise an alarm.',
  },
  {
    rule: 'AwsSolutions::AwsSolutions-AS3',
    path: 'Capacity/Instances',
    reason:
      "Launch and terminate errors notify the alarm topic. Plain launches and terminations are the capacity provider's managed scaling at work and are not mailed.",
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM5[Action::ecs:Submit*]',
    path: 'Capacity/InstanceRole',
    reason: "aws-cdk-lib's statement for the ECS agent, limited to this cluster's ARN: the agent reports task and container state changes.",
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    path: 'Capacity/InstanceRole',
    reason:
      "aws-cdk-lib's statements for the ECS agent: ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken have no resource type; logs:CreateLogStream/PutLogEvents are what the awslogs driver uses on EC2.",
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    path: 'Identity/ExecutionRole',
    reason:
      "ecr:GetAuthorizationToken has no resource type. The image pulls, log writes and parameter reads are limited to this app's repositories, log groups and parameters.",
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    path: 'Identity/DeployRole',
    reason:
      'deploy/iam/*.json: ecs:Describe/List/Register/DeregisterTaskDefinition, application-autoscaling:Describe* and ecr:GetAuthorizationToken have no resource type in IAM. UpdateService, PassRole and the pushes name their resources.',
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    path: 'Services/Bootstrap*',
    reason:
      'The first revision of each family is registered by ecs:RegisterTaskDefinition, which has no resource type; PassRole names the two roles.',
  },
  {
    rule: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    path: 'AWS679f53fac002430cb0da5b7982bd2287',
    reason:
      "aws-cdk-lib's one function behind every AwsCustomResource (the first revisions, the parameters): the managed policy lets it write its own logs, nothing more.",
  },
  {
    rule: 'CloudFormation-Validate::W3010',
    path: 'Network/Vpc',
    reason: ZONES_ON_PURPOSE,
  },
  { rule: 'cfn-lint::W3010', path: 'Network/Vpc', reason: ZONES_ON_PURPOSE },
  {
    rule: 'cfn-lint::W3005',
    path: 'AWS679f53fac002430cb0da5b7982bd2287',
    reason: "aws-cdk-lib's AwsCustomResource function depends on its role twice (DependsOn and GetAtt); harmless.",
  },
  {
    rule: 'cfn-lint::W3005',
    path: 'Custom::VpcRestrictDefaultSGCustomResourceProvider',
    reason:
      "aws-cdk-lib's function that empties the VPC's default security group depends on its role twice (DependsOn and GetAtt); harmless.",
  },
];

const segmentMatcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** The constructs below `stack` whose path (relative to it) matches `pattern`. */
export function constructsAt(stack: EnvironmentStack, pattern: string): IConstruct[] {
  let found: IConstruct[] = [stack];
  for (const segment of pattern.split('/')) {
    const matcher = segmentMatcher(segment);
    found = found.flatMap((parent) => parent.node.children.filter((child) => matcher.test(child.node.id)));
  }
  return found;
}

/**
 * Records every acknowledgement on the constructs it names: cdk-nag and CDK's
 * own validation read `Validations`, cfn-lint reads `ignore_checks` from the
 * Metadata of each resource below. A path that names nothing is an error, so
 * no entry outlives its construct.
 */
export function acknowledgeFindings(stack: EnvironmentStack): void {
  for (const { rule, path, reason } of ACKNOWLEDGEMENTS) {
    const constructs = constructsAt(stack, path);
    if (constructs.length === 0) throw new Error(`acknowledgement of ${rule}: ${stack.stackName} has no construct at ${path}`);
    for (const construct of constructs) {
      if (!rule.startsWith(CFN_LINT)) {
        Validations.of(construct).acknowledge({ id: rule, reason });
        continue;
      }
      for (const resource of construct.node.findAll().filter(CfnResource.isCfnResource)) {
        const config = (resource.getMetadata('cfn-lint') as { config: { ignore_checks: string[] } } | undefined) ?? {
          config: { ignore_checks: [] },
        };
        config.config.ignore_checks.push(rule.slice(CFN_LINT.length));
        resource.addMetadata('cfn-lint', config);
      }
    }
  }
}
