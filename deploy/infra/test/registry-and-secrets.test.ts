import { loadEnvironment } from '@ping-pong/deploy-config';
import { PARAMETER_PLACEHOLDER } from '../src/logs-and-secrets';
import { ENVIRONMENTS, resourcesOf, templateOf } from './support';

const REPOSITORIES = ['microservice-ping-pong/client', 'microservice-ping-pong/node'];

describe.each(ENVIRONMENTS)('%s: the ECR repositories', (name) => {
  const environment = loadEnvironment(name);

  it('are the ones the task definitions pull from: immutable tags, scan on push, retained when the stack goes but not when its creation fails', () => {
    const template = templateOf(name);
    const repositories = resourcesOf(template, 'AWS::ECR::Repository') as unknown as Record<
      string,
      { Properties: Record<string, unknown>; DeletionPolicy: string; UpdateReplacePolicy: string }
    >;
    expect(Object.values(repositories).map(({ Properties }) => Properties.RepositoryName)).toEqual(REPOSITORIES);
    for (const repository of Object.values(repositories)) {
      expect({ name: repository.Properties.RepositoryName, ...repository }).toMatchObject({
        name: repository.Properties.RepositoryName,
        // A failed first infra:deploy rolls them back, so running it again does not stop on names that exist.
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: { ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } },
      });
    }
  });

  it('expire untagged images after a day and keep the newest repositories.keepImages', () => {
    for (const { Properties } of Object.values(resourcesOf(templateOf(name), 'AWS::ECR::Repository'))) {
      const { rules } = JSON.parse((Properties.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText) as {
        rules: { rulePriority: number; selection: Record<string, unknown>; action: { type: string } }[];
      };
      const repository = Properties.RepositoryName;
      expect({
        repository,
        rules: rules.map(({ rulePriority, selection, action }) => ({ rulePriority, selection, action: action.type })),
      }).toEqual({
        repository,
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1, countUnit: 'days' },
            action: 'expire',
          },
          {
            rulePriority: 2,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: environment.repositories.keepImages },
            action: 'expire',
          },
        ],
      });
    }
  });
});

describe('promotion by ECR replication', () => {
  it('staging’s registry replicates the repositories to every environment promoted from it', () => {
    const production = loadEnvironment('production');
    expect(production.promotedFrom).toBe('staging');
    templateOf('staging').hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          {
            Destinations: [{ Region: production.region, RegistryId: production.account }],
            RepositoryFilters: REPOSITORIES.map((filter) => ({ Filter: filter, FilterType: 'PREFIX_MATCH' })),
          },
        ],
      },
    });
    templateOf('staging').resourceCountIs('AWS::ECR::RegistryPolicy', 0);
  });

  it('production’s registry lets staging’s account replicate into its repositories, and replicates nowhere', () => {
    const staging = loadEnvironment('staging');
    const template = templateOf('production');
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    const [policy] = Object.values(resourcesOf(template, 'AWS::ECR::RegistryPolicy'));
    const [statement] = (policy!.Properties.PolicyText as { Statement: { Principal: unknown; Action: string[]; Resource: unknown[] }[] })
      .Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${staging.account}:root` },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
    });
    expect(statement!.Resource).toHaveLength(REPOSITORIES.length);
  });
});

describe.each(ENVIRONMENTS)('%s: the secrets’ SSM parameters', (name) => {
  it('are created once as SecureString holding a placeholder, never overwritten, with no value in the template', () => {
    const calls = Object.values(resourcesOf(templateOf(name), 'Custom::AWS'))
      .map(({ Properties }) => ({ create: JSON.parse(Properties.Create as string), update: Properties.Update, remove: Properties.Delete }))
      .filter(({ create }) => create.action === 'putParameter');
    expect(calls).toEqual([
      {
        create: expect.objectContaining({
          service: 'SSM',
          parameters: expect.objectContaining({
            Name: `/microservice-ping-pong/${name}/CORS_ORIGINS`,
            Type: 'SecureString',
            Value: PARAMETER_PLACEHOLDER,
            Overwrite: false,
          }),
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
        }),
        update: undefined,
        remove: undefined,
      },
    ]);
  });
});
