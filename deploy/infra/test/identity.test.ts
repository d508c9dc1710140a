import { loadEnvironment, renderPolicy } from '@ping-pong/deploy-config';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Identity } from '../src/identity';
import { loadStackInput } from '../src/stack-input';
import { bareStack, ENVIRONMENTS, type EnvironmentName, resourcesOf, templateOf } from './support';

type Role = {
  Properties: {
    RoleName?: string;
    AssumeRolePolicyDocument: { Statement: unknown[] };
    Policies?: { PolicyName: string; PolicyDocument: unknown }[];
  };
};

function roleNamed(name: EnvironmentName, roleName: string): [string, Role] {
  const roles = resourcesOf(templateOf(name), 'AWS::IAM::Role') as unknown as Record<string, Role>;
  return Object.entries(roles).find(([, role]) => role.Properties.RoleName === roleName)!;
}

/** The statements of the AWS::IAM::Policy resources attached to a role. */
function attachedStatements(name: EnvironmentName, roleId: string): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  return Object.values(resourcesOf(templateOf(name), 'AWS::IAM::Policy'))
    .filter(({ Properties }) => (Properties.Roles as { Ref: string }[]).some(({ Ref }) => Ref === roleId))
    .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: [] }).Statement);
}

function sorted(policy: ReturnType<typeof renderPolicy>) {
  const sort = (value: string | string[]) => (Array.isArray(value) ? [...value].sort() : value);
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => ({ ...statement, Action: sort(statement.Action), Resource: sort(statement.Resource) })),
  };
}

/** The files' choice: staging deploys from main, production from the GitHub environment with required reviewers. */
const GITHUB_SUBJECT: Record<EnvironmentName, string> = {
  staging: 'repo:YOUR-ORG/ping-pong:ref:refs/heads/main',
  production: 'repo:YOUR-ORG/ping-pong:environment:production',
};

describe.each(ENVIRONMENTS)('%s: the roles', (name) => {
  const { environment, taskDefinitions } = loadStackInput(name);

  it('the deploy role trusts GitHub’s OIDC provider for one repository and its branch or GitHub environment, through aud and sub', () => {
    const [, role] = roleNamed(name, environment.roles.deploy);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: expect.anything() },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': GITHUB_SUBJECT[name],
          },
        },
      },
    ]);
  });

  it('the deploy role’s permissions are deploy/iam’s policies, push-images only where the pipeline pushes', () => {
    const [roleId, role] = roleNamed(name, environment.roles.deploy);
    const files = environment.promotedFrom
      ? (['deploy-policy.json'] as const)
      : (['deploy-policy.json', 'push-images-policy.json'] as const);
    // CDK sorts the actions and resources of a statement; the statements are otherwise the files' own.
    expect(role.Properties.Policies).toEqual(
      files.map((file) => ({
        PolicyName: file.replace('.json', ''),
        PolicyDocument: sorted(renderPolicy(file, environment, taskDefinitions)),
      })),
    );
    expect(attachedStatements(name, roleId)).toEqual([]);
    const passRole = role.Properties.Policies!.flatMap(
      ({ PolicyDocument }) => (PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement,
    ).filter((statement) => statement.Action === 'iam:PassRole');
    expect(passRole).toEqual([
      expect.objectContaining({ Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
    ]);
  });

  it.each(['task', 'execution'] as const)('the %s role is assumed by ECS tasks of this account only', (kind) => {
    const [, role] = roleNamed(name, environment.roles[kind]);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': environment.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:ecs:${environment.region}:${environment.account}:*` },
        },
      },
    ]);
  });

  it('the task role has no permissions: the services call no AWS API', () => {
    const [roleId, role] = roleNamed(name, environment.roles.task);
    expect(role.Properties.Policies).toBeUndefined();
    expect(attachedStatements(name, roleId)).toEqual([]);
  });

  it('the execution role pulls this app’s images, writes its log groups and reads its parameters, nothing else', () => {
    const [roleId] = roleNamed(name, environment.roles.execution);
    const statements = attachedStatements(name, roleId);
    const actions = statements.flatMap((statement) => statement.Action);
    expect(new Set(actions)).toEqual(
      new Set([
        'ecr:BatchCheckLayerAvailability',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'ecr:GetAuthorizationToken',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ssm:GetParameters',
      ]),
    );
    const parameters = statements.find((statement) => statement.Action === 'ssm:GetParameters')!.Resource;
    expect(JSON.stringify(parameters)).toContain(`:parameter/microservice-ping-pong/${name}/CORS_ORIGINS`);
    expect(JSON.stringify(parameters)).not.toContain('*');
  });
});

describe('the GitHub OIDC provider, one per account', () => {
  it('is created where the file says create, with the audience sts.amazonaws.com', () => {
    expect(loadEnvironment('staging').github.oidcProvider).toBe('create');
    templateOf('staging').hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('an account that has one already (oidcProvider: existing) gets none, and the deploy role trusts the existing one by ARN', () => {
    const { environment, taskDefinitions } = loadStackInput('production');
    environment.github.oidcProvider = 'existing';
    // The roles alone, in a stack of their own: no repository, log group or parameter to grant.
    const stack = bareStack(environment);
    new Identity(stack, 'Identity', { environment, taskDefinitions, repositories: [], logGroups: [], parameterArns: [] });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: environment.roles.deploy,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
            },
          }),
        ],
      },
    });
  });
});
