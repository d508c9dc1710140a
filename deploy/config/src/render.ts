import path from 'node:path';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Environment } from './environment';
import { registrySchema } from './environment';
import { ConfigError } from '@ping-pong/tooling';
import { splitImage } from './images';
import { displayPath, TASK_DEFINITIONS_DIR } from './paths';
import { renderJsonFile } from './placeholders';
import { registerTaskDefinitionInputSchema } from './task-definition-schema';
import { jsonPath } from './validation';

export interface RenderOptions {
  /** The image tag every `${IMAGE_TAG}` becomes; never `latest`. */
  tag: string;
  /** The registry every `${ECR_REGISTRY}` becomes (ECR_REGISTRY, else the environment's own: `<account>.dkr.ecr.<region>.amazonaws.com`). */
  registry: string;
  /** Where the task-definition files are; deploy/task-definitions/ unless a test says otherwise. */
  directory?: string;
}

export interface RenderedTaskDefinition {
  /** The file it came from (absolute). */
  file: string;
  family: string;
  /** The environment's services that run it. */
  services: string[];
  /** Ready for RegisterTaskDefinition. */
  input: RegisterTaskDefinitionCommandInput;
}

/** Docker's tag grammar; `latest` is refused because it says nothing about what runs. */
function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the image tag is empty';
  if (tag === 'latest') return 'the image tag "latest" is refused: deploy an immutable tag like git-<first 12 hex digits of the commit>';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
    return `the image tag ${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -; at most 128)`;
  return undefined;
}

/**
 * The `${NAME}` placeholders a task-definition file may use. Everything that
 * differs between environments or accounts comes from here, so the files
 * themselves hold no account id, region or tag.
 */
function placeholderValues(environment: Environment, options: RenderOptions): Record<string, string> {
  return {
    ECR_REGISTRY: options.registry,
    IMAGE_TAG: options.tag,
    ENVIRONMENT: environment.name,
    NAME_PREFIX: environment.namePrefix,
    AWS_REGION: environment.region,
    TASK_ROLE_ARN: environment.roleArns.task,
    EXECUTION_ROLE_ARN: environment.roleArns.execution,
  };
}

function imageProblem(image: string): string | undefined {
  const { tag, digest } = splitImage(image);
  if (digest?.startsWith('sha256:')) return undefined;
  if (tag === undefined) return `image ${JSON.stringify(image)} has no tag: use ${'${IMAGE_TAG}'} or a fixed version`;
  return tagProblem(tag);
}

/**
 * How long the load balancer waits for an answer: the ALB's idle timeout,
 * left at its default by the environment files. A chain's deadline must be
 * shorter, so the chain's own 504 naming the slow hop arrives first.
 */
export const LOAD_BALANCER_IDLE_TIMEOUT_SECONDS = 60;

/**
 * The defences every container carries, so a new one cannot forget them: a
 * hard memory limit (a leak cannot take the host and its other tasks down),
 * a read-only root filesystem, no Linux capabilities, no privilege gain
 * through setuid binaries, and a user other than root.
 */
function hardeningProblems(container: ContainerDefinition, at: (...rest: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  if (container.memory === undefined) {
    problems.push(`${at('memory')}: required: a hard limit in MiB, at or above memoryReservation`);
  } else if (container.memoryReservation !== undefined && container.memory < container.memoryReservation) {
    problems.push(`${at('memory')}: ${container.memory} is below memoryReservation ${container.memoryReservation}`);
  }
  if (container.readonlyRootFilesystem !== true) {
    problems.push(`${at('readonlyRootFilesystem')}: must be true (give what must write a tmpfs in linuxParameters)`);
  }
  if (!container.linuxParameters?.capabilities?.drop?.includes('ALL')) {
    problems.push(`${at('linuxParameters', 'capabilities', 'drop')}: must include "ALL" (add back only what the container needs)`);
  }
  if (!container.dockerSecurityOptions?.includes('no-new-privileges')) {
    problems.push(`${at('dockerSecurityOptions')}: must include "no-new-privileges"`);
  }
  const user = container.user?.split(':')[0];
  if (user === undefined) problems.push(`${at('user')}: required: a user other than root, e.g. "1000:1000"`);
  else if (user === 'root' || /^0+$/.test(user)) problems.push(`${at('user')}: ${JSON.stringify(container.user)} is root`);
  return problems;
}

/** A REQUEST_DEADLINE_MS the load balancer would cut off before the chain answers. */
function deadlineProblems(container: ContainerDefinition, at: (...rest: PropertyKey[]) => string): string[] {
  return (container.environment ?? []).flatMap((variable, variableIndex) =>
    variable.name === 'REQUEST_DEADLINE_MS' && Number(variable.value) >= LOAD_BALANCER_IDLE_TIMEOUT_SECONDS * 1000
      ? [
          `${at('environment', variableIndex, 'value')}: REQUEST_DEADLINE_MS ${variable.value} is not below the load balancer's idle timeout (${LOAD_BALANCER_IDLE_TIMEOUT_SECONDS} s)`,
        ]
      : [],
  );
}

/**
 * What the SDK's types cannot say: references between containers, the
 * defences every container carries, and the rules ECS checks only at
 * register or run time. Returns `<json.path>: <problem>`.
 */
export function taskDefinitionProblems(input: RegisterTaskDefinitionCommandInput): string[] {
  const problems: string[] = [];
  const containers: ContainerDefinition[] = input.containerDefinitions ?? [];
  const byName = new Map(containers.map((container) => [container.name, container]));
  const at = (index: number, ...rest: PropertyKey[]) => jsonPath(['containerDefinitions', index, ...rest]);

  containers.forEach((container, index) => {
    if (containers.findIndex((other) => other.name === container.name) !== index) {
      problems.push(`${at(index, 'name')}: container name ${JSON.stringify(container.name)} is used twice`);
    }
    const image = imageProblem(container.image ?? '');
    if (image) problems.push(`${at(index, 'image')}: ${image}`);
    container.links?.forEach((link, linkIndex) => {
      const target = link.split(':')[0];
      if ((input.networkMode ?? 'bridge') !== 'bridge')
        problems.push(`${at(index, 'links', linkIndex)}: links work only with networkMode "bridge"`);
      if (!byName.has(target) || target === container.name)
        problems.push(`${at(index, 'links', linkIndex)}: names no other container of this task`);
    });
    container.dependsOn?.forEach((dependency, dependencyIndex) => {
      const target = byName.get(dependency.containerName);
      if (!target || target === container) {
        problems.push(`${at(index, 'dependsOn', dependencyIndex, 'containerName')}: names no other container of this task`);
      } else if (dependency.condition === 'HEALTHY' && !target.healthCheck) {
        problems.push(
          `${at(index, 'dependsOn', dependencyIndex, 'condition')}: HEALTHY needs a healthCheck on ${dependency.containerName}`,
        );
      }
    });
    problems.push(...hardeningProblems(container, (...rest) => at(index, ...rest)));
    problems.push(...deadlineProblems(container, (...rest) => at(index, ...rest)));
    const names = [...(container.environment ?? []), ...(container.secrets ?? [])].map((variable) => variable.name);
    names.forEach((variable, variableIndex) => {
      if (names.indexOf(variable) !== variableIndex)
        problems.push(`${at(index)}: variable ${variable} is set twice (environment and secrets together)`);
    });
  });
  if (containers.length > 0 && containers.every((container) => container.essential === false)) {
    problems.push('containerDefinitions: at least one container must be essential');
  }
  return problems;
}

/**
 * Renders and validates every task definition the environment's services use,
 * then checks the load balancer's target groups against them. All problems of
 * all files are collected into one ConfigError, so a user fixes them in one go.
 */
export function renderTaskDefinitions(environment: Environment, options: RenderOptions): RenderedTaskDefinition[] {
  const directory = options.directory ?? TASK_DEFINITIONS_DIR;
  const problems: string[] = [];
  const tag = tagProblem(options.tag);
  if (tag) problems.push(tag);
  if (!registrySchema.safeParse(options.registry).success)
    problems.push(
      `registry ${JSON.stringify(options.registry)}: must be a registry host like 123456789012.dkr.ecr.eu-west-1.amazonaws.com`,
    );
  if (problems.length > 0) throw new ConfigError(problems);

  const values = placeholderValues(environment, options);
  const rendered = new Map<string, RenderedTaskDefinition>();
  for (const [serviceName, service] of Object.entries(environment.services)) {
    const file = path.join(directory, service.taskDefinition);
    const known = rendered.get(file);
    if (known) {
      known.services.push(serviceName);
      continue;
    }
    try {
      const input = renderJsonFile(file, values, registerTaskDefinitionInputSchema);
      problems.push(...taskDefinitionProblems(input).map((problem) => `${displayPath(file)}: ${problem}`));
      rendered.set(file, { file, family: input.family!, services: [serviceName], input });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const families = [...rendered.values()].map((definition) => definition.family);
  families.forEach((family, index) => {
    if (families.indexOf(family) !== index) problems.push(`family ${family} is defined by two files`);
  });
  if (problems.length === 0) problems.push(...targetGroupProblems(environment, rendered, directory));
  if (problems.length > 0) throw new ConfigError(problems);
  return [...rendered.values()];
}

/** Each target group must point at a container port its service's task definition really maps. */
function targetGroupProblems(environment: Environment, rendered: Map<string, RenderedTaskDefinition>, directory: string): string[] {
  return environment.loadBalancer.targetGroups.flatMap((group, index) => {
    const service = environment.services[group.service];
    if (!service) return [];
    const definition = rendered.get(path.join(directory, service.taskDefinition))!;
    const container = definition.input.containerDefinitions?.find((candidate) => candidate.name === group.containerName);
    const where = `${displayPath(environment.file)}: ${jsonPath(['loadBalancer', 'targetGroups', index])}`;
    if (!container) return [`${where}.containerName: ${group.containerName} is not a container of ${definition.family}`];
    if (!container.portMappings?.some((mapping) => mapping.containerPort === group.containerPort)) {
      return [`${where}.containerPort: ${group.containerName} maps no containerPort ${group.containerPort}`];
    }
    return [];
  });
}
