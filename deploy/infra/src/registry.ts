import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import type { Environment } from '@ping-pong/deploy-config';

/**
 * The ECR repositories the task definitions' images name: immutable tags,
 * scanned on push, untagged images expire after a day, the newest
 * `repositories.keepImages` are kept. They outlive the stack, except when the
 * stack's creation fails and rolls back (RETAIN_ON_UPDATE_OR_DELETE): a
 * failed first `infra:deploy` leaves no repository behind whose name would
 * stop the next one.
 *
 * Promotion: the registry of an environment that others are `promotedFrom`
 * replicates these repositories to theirs, and such an environment's registry
 * lets that source account replicate into these repositories (needed across
 * accounts only). Both are registry-wide singletons (one replication
 * configuration, one registry policy per account and region), so the stack
 * owns its registry's. An environment promoted from one in the same registry
 * creates no repository: it pulls from the source's, which that stack owns.
 */
export interface RegistryProps {
  /** The repositories the images come from, e.g. `microservice-ping-pong/node`. */
  repositories: readonly string[];
  /** The environment file's `repositories.keepImages`. */
  keepImages: number;
  /** The registries (account, region) of the environments promoted from this one. */
  replicateTo: readonly Pick<Environment, 'account' | 'region'>[];
  /** The environment this one is promoted from: its account may replicate in, when it is another account. */
  acceptFrom?: Pick<Environment, 'name' | 'account'>;
  /** The environment whose stack creates the repositories, when this one shares its registry. */
  repositoryOwner?: Pick<Environment, 'name'>;
}

export class Registry extends Construct {
  readonly repositories: ecr.IRepository[];

  constructor(scope: Construct, id: string, { repositories, keepImages, replicateTo, acceptFrom, repositoryOwner }: RegistryProps) {
    super(scope, id);
    if (repositoryOwner) {
      this.repositories = repositories.map((repositoryName) => ecr.Repository.fromRepositoryName(this, repositoryName, repositoryName));
      return;
    }
    this.repositories = repositories.map(
      (repositoryName) =>
        new ecr.Repository(this, repositoryName, {
          repositoryName,
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageScanOnPush: true,
          removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
          lifecycleRules: [
            {
              rulePriority: 1,
              description: 'untagged images expire after a day',
              tagStatus: ecr.TagStatus.UNTAGGED,
              maxImageAge: Duration.days(1),
            },
            {
              rulePriority: 2,
              description: `keep the newest ${keepImages} images`,
              tagStatus: ecr.TagStatus.ANY,
              maxImageCount: keepImages,
            },
          ],
        }),
    );

    if (replicateTo.length > 0) {
      new ecr.CfnReplicationConfiguration(this, 'ReplicateToPromotedEnvironments', {
        replicationConfiguration: {
          rules: [
            {
              destinations: replicateTo.map((replica) => ({ region: replica.region, registryId: replica.account })),
              repositoryFilters: repositories.map((name) => ({ filter: name, filterType: 'PREFIX_MATCH' })),
            },
          ],
        },
      });
    }
    if (acceptFrom && acceptFrom.account !== Stack.of(this).account) {
      new ecr.CfnRegistryPolicy(this, 'AcceptReplication', {
        policyText: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: `ReplicationFrom${acceptFrom.name.replace(/[^A-Za-z0-9]/g, '')}`,
              Effect: 'Allow',
              Principal: { AWS: `arn:${Stack.of(this).partition}:iam::${acceptFrom.account}:root` },
              Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
              Resource: this.repositories.map((repository) => repository.repositoryArn),
            },
          ],
        },
      });
    }
  }
}
