import { Stack } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type Environment, type PolicyFile, renderPolicy, type RenderedTaskDefinition } from '@ping-pong/deploy-config';

const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** What a GitHub Actions job's OIDC token says in `sub`: the repository and the branch or environment it runs for. */
function githubSubject({ github }: Environment): string {
  return 'branch' in github.deploysFrom
    ? `repo:${github.repository}:ref:refs/heads/${github.deploysFrom.branch}`
    : `repo:${github.repository}:environment:${github.deploysFrom.environment}`;
}

export interface IdentityProps {
  environment: Environment;
  /** What deploy/iam's policies are rendered against. */
  taskDefinitions: readonly RenderedTaskDefinition[];
  repositories: readonly ecr.IRepository[];
  logGroups: readonly logs.LogGroup[];
  /** The SSM parameters behind the task definitions' `secrets`. */
  parameterArns: readonly string[];
}

/**
 * The three roles the task definitions and the pipeline name, by the names in
 * the environment file:
 * - the execution role, for the ECS agent: pull this app's images, write its
 *   log groups, read its SSM parameters, nothing else;
 * - the task role, the services' own identity: no permissions, since the
 *   services call no AWS API;
 * - the deploy role, for GitHub Actions through OIDC, pinned by `aud` and
 *   `sub` to one repository and its branch or GitHub environment, with the
 *   policies of deploy/iam/ (push-images only where the pipeline pushes, i.e.
 *   not in an environment whose images are replicated in).
 */
export class Identity extends Construct {
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;
  readonly deployRole: iam.Role;
  readonly githubProvider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { environment, taskDefinitions } = props;
    const stack = Stack.of(this);

    // Only ECS tasks of this account assume them (the confused-deputy guard AWS recommends).
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': environment.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ecs:${environment.region}:${environment.account}:*` },
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      roleName: environment.roles.execution,
      description: 'The ECS agent: pulls the images, writes the logs and reads the secrets of microservice-ping-pong tasks',
      assumedBy: ecsTasks,
    });
    for (const repository of props.repositories) repository.grantPull(this.executionRole);
    for (const logGroup of props.logGroups) logGroup.grantWrite(this.executionRole);
    if (props.parameterArns.length > 0) {
      this.executionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheTaskDefinitionsSecrets',
          actions: ['ssm:GetParameters'],
          // SecureStrings under the AWS managed key need no kms:Decrypt here: its key policy lets SSM decrypt for this account.
          resources: [...props.parameterArns],
        }),
      );
    }
    this.taskRole = new iam.Role(this, 'TaskRole', {
      roleName: environment.roles.task,
      description: "The microservice-ping-pong services' own identity: no permissions, they call no AWS API",
      assumedBy: ecsTasks,
    });

    const providerArn = `arn:${stack.partition}:iam::${environment.account}:oidc-provider/${GITHUB_OIDC_ISSUER}`;
    this.githubProvider =
      environment.github.oidcProvider === 'create'
        ? new iam.OidcProviderNative(this, 'GitHubOidcProvider', { url: `https://${GITHUB_OIDC_ISSUER}`, clientIds: ['sts.amazonaws.com'] })
        : iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', providerArn);

    const policies: PolicyFile[] = environment.promotedFrom ? ['deploy-policy.json'] : ['deploy-policy.json', 'push-images-policy.json'];
    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: environment.roles.deploy,
      description: `GitHub Actions deploying ${environment.name}: ${githubSubject(environment)}`,
      assumedBy: new iam.WebIdentityPrincipal(this.githubProvider.openIdConnectProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_ISSUER}:sub`]: githubSubject(environment),
        },
      }),
      inlinePolicies: Object.fromEntries(
        policies.map((file) => [
          file.replace(/\.json$/, ''),
          iam.PolicyDocument.fromJson(renderPolicy(file, environment, taskDefinitions)),
        ]),
      ),
    });
  }
}
