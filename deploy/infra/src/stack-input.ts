import {
  displayPath,
  ENVIRONMENTS_DIR,
  type Environment,
  environmentNames,
  imageRepositories,
  jsonPath,
  loadEnvironment,
  type RenderedTaskDefinition,
  renderTaskDefinitions,
} from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { type Sizing, sizeCapacity } from './sizing';

/** Everything one environment's stack is built from: the environment file and what its task definitions name. */
export interface StackInput {
  environment: Environment;
  /**
   * The environment's task definitions, rendered against its own registry.
   * The image tag is a stand-in: the stack registers none of them as they are.
   */
  taskDefinitions: RenderedTaskDefinition[];
  /** Every `awslogs-group` the containers log to. */
  logGroups: string[];
  /** Every SSM parameter (by name) a container's `secrets` read. */
  parameters: string[];
  /** The ECR repositories the images come from, in this environment's registry. */
  repositories: string[];
  /**
   * The environment whose stack creates those repositories when it is not
   * this one: the environment `promotedFrom` names, when both share a
   * registry (account and region). Nothing is replicated then: promotion
   * deploys the very images the source ran, from the same repositories.
   */
  repositoryOwner?: Environment;
  /** The environments whose `promotedFrom` names this one, in another registry: this registry replicates to theirs. */
  replicas: Environment[];
  /** The environment `promotedFrom` names: its registry replicates to this one, unless they share it. */
  source?: Environment;
  sizing: Sizing;
}

const sameRegistry = (a: Environment, b: Environment) => a.account === b.account && a.region === b.region;

/**
 * What two environments cannot both have: one registry's repositories,
 * replication configuration and registry policy, one account's GitHub OIDC
 * provider. Promotion within one registry is allowed (the source's stack owns
 * the repositories); anything else that would make two stacks create the
 * same thing is refused here, not halfway through a CloudFormation create.
 */
function sharingProblems(environment: Environment, others: readonly Environment[]): string[] {
  const at = (field: string) => `${displayPath(environment.file)}: ${field}`;
  const problems: string[] = [];
  for (const other of others) {
    const linked = environment.promotedFrom === other.name || other.promotedFrom === environment.name;
    if (sameRegistry(environment, other) && !linked) {
      problems.push(
        `${at('region')}: ${other.name} uses the same registry (account ${other.account}, ${other.region}) without either being promotedFrom the other, so both stacks would create the repositories: promote one from the other, or use another account or region`,
      );
    }
    if (environment.account === other.account && environment.github.oidcProvider === 'create' && other.github.oidcProvider === 'create') {
      problems.push(
        `${at('github.oidcProvider')}: ${other.name} creates the GitHub OIDC provider of account ${other.account} too, and an account has one: set "existing" in one of them, and deploy the other first`,
      );
    }
  }
  const source = others.find((other) => other.name === environment.promotedFrom);
  if (source && sameRegistry(environment, source)) {
    const replicaElsewhere = others.find((other) => other.promotedFrom === environment.name && !sameRegistry(other, environment));
    if (replicaElsewhere)
      problems.push(
        `${at('promotedFrom')}: ${environment.name} shares ${source.name}'s registry, whose one replication configuration ${source.name}'s stack owns, so ${replicaElsewhere.name} cannot be promoted from ${environment.name}: promote it from ${source.name}`,
      );
  }
  return problems;
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * Reads `deploy/environments/<name>.json` and the task definitions it names,
 * and checks what the stack relies on: logs in this region, secrets that are
 * SSM parameter names. Every problem is a ConfigError line.
 */
export function loadStackInput(name: string, environmentsDir = ENVIRONMENTS_DIR): StackInput {
  const environment = loadEnvironment(name, environmentsDir);
  const taskDefinitions = renderTaskDefinitions(environment, { tag: 'infra', registry: environment.registry });
  const problems: string[] = [];
  const logGroups: string[] = [];
  const parameters: string[] = [];
  for (const definition of taskDefinitions) {
    definition.input.containerDefinitions!.forEach((container, index) => {
      const at = (...rest: PropertyKey[]) => `${displayPath(definition.file)}: ${jsonPath(['containerDefinitions', index, ...rest])}`;
      const { logDriver, options = {} } = container.logConfiguration ?? {};
      if (logDriver === 'awslogs') {
        if (options['awslogs-region'] !== environment.region)
          problems.push(
            `${at('logConfiguration', 'options', 'awslogs-region')}: must be \${AWS_REGION}, where the stack creates the group`,
          );
        if (options['awslogs-group']) logGroups.push(options['awslogs-group']);
      }
      container.secrets?.forEach((secret, secretIndex) => {
        if (secret.valueFrom?.startsWith('/')) parameters.push(secret.valueFrom);
        else
          problems.push(`${at('secrets', secretIndex, 'valueFrom')}: must be an SSM parameter name starting with / (the stack creates it)`);
      });
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const others = environmentNames(environmentsDir)
    .filter((other) => other !== name)
    .map((other) => loadEnvironment(other, environmentsDir));
  const sharing = sharingProblems(environment, others);
  if (sharing.length > 0) throw new ConfigError(sharing);
  const source = others.find((other) => other.name === environment.promotedFrom);
  return {
    environment,
    taskDefinitions,
    logGroups: unique(logGroups),
    parameters: unique(parameters),
    repositories: imageRepositories(environment, taskDefinitions),
    repositoryOwner: source && sameRegistry(environment, source) ? source : undefined,
    replicas: others.filter((other) => other.promotedFrom === name && !sameRegistry(other, environment)),
    source,
    sizing: sizeCapacity(environment, taskDefinitions),
  };
}
