import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * What a parameter holds until someone sets it: one space, which the services
 * read as "not set" (for CORS_ORIGINS: no cross-origin access).
 */
export const PARAMETER_PLACEHOLDER = ' ';

/**
 * A log group for every `awslogs-group` the task definitions name, with the
 * environment's retention, and the SSM parameter behind every `secrets`
 * entry.
 *
 * CloudFormation cannot create a SecureString, and a plain String would put a
 * secret in the clear, so each parameter is created once by an SDK call
 * (PutParameter, SecureString under the AWS managed key, without overwrite)
 * holding PARAMETER_PLACEHOLDER. The value never passes through the
 * template; set the real one with `aws ssm put-parameter --overwrite`. A
 * parameter that exists already is left as it is, and deleting the stack
 * keeps every parameter, so a value set once survives a teardown.
 */
export interface LogsAndSecretsProps {
  /** Every `awslogs-group` the containers log to. */
  logGroups: readonly string[];
  /** The environment file's `logs.retentionDays`. */
  retentionDays: number;
  /** Every SSM parameter name a container's `secrets` read. */
  parameters: readonly string[];
}

export class LogsAndSecrets extends Construct {
  readonly logGroups: logs.LogGroup[];
  /** The ARN of each parameter it creates. */
  readonly parameterArns: string[];

  constructor(scope: Construct, id: string, { logGroups, retentionDays, parameters }: LogsAndSecretsProps) {
    super(scope, id);
    this.logGroups = logGroups.map(
      (logGroupName) =>
        new logs.LogGroup(this, logGroupName, {
          logGroupName,
          retention: retentionDays as logs.RetentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );

    const stack = Stack.of(this);
    this.parameterArns = parameters.map((name) => {
      const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
      new cr.AwsCustomResource(this, `Parameter${name}`, {
        onCreate: {
          service: 'SSM',
          action: 'putParameter',
          parameters: {
            Name: name,
            Type: 'SecureString',
            Value: PARAMETER_PLACEHOLDER,
            Overwrite: false,
            Description: 'microservice-ping-pong secret; set the value with aws ssm put-parameter --overwrite',
          },
          physicalResourceId: cr.PhysicalResourceId.of(name),
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
        },
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [arn] })]),
        installLatestAwsSdk: false,
      });
      return arn;
    });
  }
}
