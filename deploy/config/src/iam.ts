import path from 'node:path';
import { z } from 'zod';
import type { Environment } from './environment';
import { imageRepositories } from './images';
import { IAM_DIR } from './paths';
import { type PlaceholderValue, renderJsonFile } from './placeholders';
import type { RenderedTaskDefinition } from './render';

/** The policies in deploy/iam/: the deploy role's permissions, loaded by deploy/infra. */
export type PolicyFile = 'deploy-policy.json' | 'push-images-policy.json';

const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const policyDocument = z.strictObject({
  Version: z.literal('2012-10-17'),
  Statement: z
    .array(
      z.strictObject({
        Sid: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only'),
        Effect: z.enum(['Allow', 'Deny']),
        Action: oneOrMore,
        Resource: oneOrMore,
        Condition: z.record(z.string(), z.record(z.string(), oneOrMore)).optional(),
      }),
    )
    .min(1),
});

export type PolicyDocument = z.infer<typeof policyDocument>;
export type PolicyStatement = PolicyDocument['Statement'][number];

/**
 * The `${NAME}` placeholders a policy file may use: what the environment file
 * and the task definitions own, so no policy repeats an account, a cluster or
 * a role name.
 */
function policyPlaceholders(
  environment: Environment,
  taskDefinitions: readonly RenderedTaskDefinition[],
): Record<string, PlaceholderValue> {
  return {
    AWS_ACCOUNT: environment.account,
    AWS_REGION: environment.region,
    CLUSTER: environment.cluster,
    SERVICES: Object.keys(environment.services),
    TASK_ROLE_ARN: environment.roleArns.task,
    EXECUTION_ROLE_ARN: environment.roleArns.execution,
    REPOSITORIES: imageRepositories(environment, taskDefinitions),
  };
}

/**
 * `deploy/iam/<file>` for this environment: placeholders filled in, shape
 * checked. `taskDefinitions` are the environment's, rendered against its own
 * registry. Every problem is a ConfigError line naming the file and JSON path.
 */
export function renderPolicy(
  file: PolicyFile,
  environment: Environment,
  taskDefinitions: readonly RenderedTaskDefinition[],
  directory = IAM_DIR,
): PolicyDocument {
  return renderJsonFile(path.join(directory, file), policyPlaceholders(environment, taskDefinitions), policyDocument);
}
