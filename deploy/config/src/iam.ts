import path from 'node:path';
import { z } from 'zod';
import type { Environment } from './environment';
import { ConfigError } from './errors';
import { displayPath, IAM_DIR } from './paths';
import { type PlaceholderValue, substitutePlaceholders } from './placeholders';
import type { RenderedTaskDefinition } from './render';
import { parseWith, readJsonFile } from './validation';

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
 * The ECR repositories (`microservice-ping-pong/node`) whose images the task
 * definitions run from this environment's registry, each once.
 */
export function imageRepositories(environment: Environment, taskDefinitions: readonly RenderedTaskDefinition[]): string[] {
  const prefix = `${environment.registry}/`;
  const images = taskDefinitions.flatMap((definition) =>
    (definition.input.containerDefinitions ?? []).map((container) => container.image!),
  );
  const names = images.filter((image) => image.startsWith(prefix)).map((image) => image.slice(prefix.length).replace(/[:@].*$/, ''));
  return [...new Set(names)];
}

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
  const fullPath = path.join(directory, file);
  const problems: string[] = [];
  const json = substitutePlaceholders(readJsonFile(fullPath), policyPlaceholders(environment, taskDefinitions), problems);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `${displayPath(fullPath)}: ${problem}`));
  return parseWith(policyDocument, json, fullPath);
}
