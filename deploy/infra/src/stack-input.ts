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
  /** The environments whose `promotedFrom` names this one: this registry replicates to theirs. */
  replicas: Environment[];
  /** The environment `promotedFrom` names: its registry replicates to this one. */
  source?: Environment;
  sizing: Sizing;
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
  const source = others.find((other) => other.name === environment.promotedFrom);
  if (source && source.account === environment.account && source.region === environment.region) {
    throw new ConfigError([
      `${displayPath(environment.file)}: promotedFrom: ${source.name} uses the same registry (account ${source.account}, ${source.region}); promotion by replication needs another account or region`,
    ]);
  }
  return {
    environment,
    taskDefinitions,
    logGroups: unique(logGroups),
    parameters: unique(parameters),
    repositories: imageRepositories(environment, taskDefinitions),
    replicas: others.filter((other) => other.promotedFrom === name),
    source,
    sizing: sizeCapacity(environment, taskDefinitions),
  };
}
