import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import type { Environment } from '@ping-pong/deploy-config';

/**
 * The ECR repositories the task definitions' images name: immutable tags,
 * scanned on push, untagged images expire after a day, the newest
 * `repositories.keepImages` are kept. They outlive the stack (RETAIN).
 *
 * Promotion: the registry of an environment that others are `promotedFrom`
 * replicates these repositories to theirs, and such an environment's registry
 * lets that source account replicate into these repositories. Both are
 * account-wide singletons (one replication configuration, one registry
 * policy per registry), so the stack owns the registry's.
 */
export interface RegistryProps {
  /** The repositories the images come from, e.g. `microservice-ping-pong/node`. */
  repositories: readonly string[];
  /** The environment file's `repositories.keepImages`. */
  keepImages: number;
  /** The registries (account, region) of the environments promoted from this one. */
  replicateTo: readonly Pick<Environment, 'account' | 'region'>[];
  /** The environment this one is promoted from: its account may replicate in. */
  acceptFrom?: Pick<Environment, 'name' | 'account'>;
}

export class Registry extends Construct {
  readonly repositories: ecr.Repository[];

  constructor(scope: Construct, id: string, { repositories, keepImages, replicateTo, acceptFrom }: RegistryProps) {
    super(scope, id);
    this.repositories = repositories.map(
      (repositoryName) =>
        new ecr.Repository(this, repositoryName, {
          repositoryName,
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageScanOnPush: true,
          removalPolicy: RemovalPolicy.RETAIN,
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
    if (acceptFrom) {
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
