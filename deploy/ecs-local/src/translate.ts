import type {
  ContainerCondition,
  ContainerDefinition,
  LinuxParameters,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import type Docker from 'dockerode';
import { ECS_HEALTH_CHECK_DEFAULTS, jsonPath } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import {
  CONTAINER_LABEL,
  dockerName,
  INSTANCE_LABEL,
  ESSENTIAL_LABEL,
  FAMILY_LABEL,
  ROLE_LABEL,
  SERVICE_LABEL,
  TASK_ROLE,
  TASK_LABEL,
} from './labels';

/*
 * A rendered task definition → what the local Docker engine is asked to do.
 * Pure: no Docker call, so every field's translation is unit-tested. Each
 * field is either translated, listed as not honoured locally (a warning), or
 * refused (an error naming it): nothing is dropped silently.
 */

/** Defaults the ECS agent applies when a definition leaves them out. */
const ECS_DEFAULTS = {
  stopTimeoutSeconds: 30, // ECS_CONTAINER_STOP_TIMEOUT
  startTimeoutSeconds: 180, // ECS_CONTAINER_START_TIMEOUT on Linux
};

const NANOSECONDS_PER_SECOND = 1_000_000_000;
const BYTES_PER_MIB = 1024 * 1024;

/** Fields ECS honours that mean nothing on one local engine, with what happens instead. */
const TASK_FIELDS_NOT_HONOURED: Partial<Record<keyof RegisterTaskDefinitionCommandInput, string>> = {
  taskRoleArn: 'IAM task role not assumed; the containers get no AWS credentials',
  executionRoleArn: 'IAM execution role not used; images are local and secrets come from the local secrets file',
  placementConstraints: 'placement not applied; everything runs on the one local engine',
  requiresCompatibilities: 'launch type not checked; the local engine acts as one EC2 container instance',
  cpu: 'task-level CPU not reserved; container-level cpu is applied',
  memory: 'task-level memory not reserved; container-level memory limits are applied',
  tags: 'AWS resource tags not applied',
  runtimePlatform: 'runs on the local engine’s platform',
  ephemeralStorage: 'ephemeral storage size not applied',
};

const CONTAINER_FIELDS_NOT_HONOURED: Partial<Record<keyof ContainerDefinition, string>> = {
  logConfiguration: 'log drivers (awslogs) not used; logs stay with the local engine (docker logs)',
  repositoryCredentials: 'images are local; nothing is pulled',
  versionConsistency: 'images are local tags; no digest is pinned',
};

const PORT_MAPPING_FIELDS_NOT_HONOURED: Partial<Record<keyof PortMapping, string>> = {
  name: 'Service Connect port names not used',
  appProtocol: 'Service Connect app protocol not used',
};

const TRANSLATED_TASK_FIELDS = new Set<string>(['family', 'networkMode', 'containerDefinitions']);
const TRANSLATED_CONTAINER_FIELDS = new Set<string>([
  'name',
  'image',
  'essential',
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'portMappings',
  'entryPoint',
  'command',
  'environment',
  'secrets',
  'dependsOn',
  'startTimeout',
  'stopTimeout',
  'hostname',
  'user',
  'workingDirectory',
  'readonlyRootFilesystem',
  'dockerSecurityOptions',
  'privileged',
  'dockerLabels',
  'ulimits',
  'linuxParameters',
  'healthCheck',
]);
const TRANSLATED_PORT_MAPPING_FIELDS = new Set<string>(['containerPort', 'hostPort', 'protocol']);
const TRANSLATED_LINUX_PARAMETERS = new Set<string>(['tmpfs', 'initProcessEnabled', 'capabilities', 'sharedMemorySize']);

/** A field the local run cannot honour, listed once however many containers use it. */
export interface NotHonoured {
  field: string;
  reason: string;
  /** `<family>` or `<family>/<container>`. */
  where: string[];
}

export interface Dependency {
  containerName: string;
  condition: ContainerCondition;
}

export interface ContainerPlan {
  /** The ECS container name. */
  name: string;
  essential: boolean;
  /** Explicit dependsOn, plus START on every linked container (a link needs its target running). */
  dependsOn: Dependency[];
  startTimeoutSeconds: number;
  stopTimeoutSeconds: number;
  /** `3000/tcp` → the host port asked for (0: dynamic). */
  portMappings: { containerPort: number; protocol: string; hostPort: number }[];
  createOptions: Docker.ContainerCreateOptions;
}

export interface TaskPlan {
  family: string;
  service: string;
  taskId: string;
  network: { Name: string; Labels: Record<string, string> };
  /** In start order: every container after the ones it depends on. */
  containers: ContainerPlan[];
}

export interface TaskContext {
  /** What this run labels and names everything with: the environment name, or a test run's own. */
  instance: string;
  service: string;
  /** Unique per run of the task, e.g. `node-1a2b3c`. */
  taskId: string;
  /** SSM parameter name or ARN (a secret's `valueFrom`) → value. */
  secrets: Readonly<Record<string, string>>;
  /** How the secrets file is named in messages. */
  secretsSource: string;
  /** How the task-definition file is named in messages. */
  source: string;
}

export interface TranslatedTask {
  plan: TaskPlan;
  notHonoured: NotHonoured[];
}

class Collector {
  readonly problems: string[] = [];
  readonly notHonoured: NotHonoured[] = [];

  constructor(private readonly source: string) {}

  problem(at: PropertyKey[], message: string): void {
    this.problems.push(`${this.source}: ${jsonPath(at)}: ${message}`);
  }

  /** Checks every key of `value`: translated, listed as not honoured, or refused. */
  fields<T extends object>(
    value: T,
    at: PropertyKey[],
    translated: Set<string>,
    notHonoured: Partial<Record<keyof T, string>>,
    where: string,
    fieldPrefix = '',
  ): void {
    for (const key of Object.keys(value)) {
      const reason = notHonoured[key as keyof T];
      if (reason) this.notHonoured.push({ field: `${fieldPrefix}${key}`, reason, where: [where] });
      else if (!translated.has(key)) this.problem([...at, key], 'not supported by ecs:local');
    }
  }
}

/** Merges the same field's warnings from many containers and tasks into one line each. */
export function mergeNotHonoured(lists: NotHonoured[][]): NotHonoured[] {
  const merged = new Map<string, NotHonoured>();
  for (const item of lists.flat()) {
    const known = merged.get(item.field);
    if (known) known.where.push(...item.where.filter((where) => !known.where.includes(where)));
    else merged.set(item.field, { ...item, where: [...item.where] });
  }
  return [...merged.values()];
}

export function describeNotHonoured(item: NotHonoured): string {
  return `${item.field}: ${item.reason} (${item.where.join(', ')})`;
}

function healthConfig(healthCheck: NonNullable<ContainerDefinition['healthCheck']>): Docker.HealthConfig {
  const seconds = { ...ECS_HEALTH_CHECK_DEFAULTS, ...healthCheck };
  return {
    Test: healthCheck.command,
    Interval: seconds.interval * NANOSECONDS_PER_SECOND,
    Timeout: seconds.timeout * NANOSECONDS_PER_SECOND,
    Retries: seconds.retries,
    StartPeriod: seconds.startPeriod * NANOSECONDS_PER_SECOND,
  };
}

function linuxParameters(parameters: LinuxParameters, at: PropertyKey[], collector: Collector, where: string): Docker.HostConfig {
  collector.fields(parameters, at, TRANSLATED_LINUX_PARAMETERS, {}, where);
  const hostConfig: Docker.HostConfig = {};
  if (parameters.initProcessEnabled !== undefined) hostConfig.Init = parameters.initProcessEnabled;
  if (parameters.capabilities?.add) hostConfig.CapAdd = parameters.capabilities.add;
  if (parameters.capabilities?.drop) hostConfig.CapDrop = parameters.capabilities.drop;
  if (parameters.sharedMemorySize !== undefined) hostConfig.ShmSize = parameters.sharedMemorySize * BYTES_PER_MIB;
  if (parameters.tmpfs) {
    hostConfig.Tmpfs = Object.fromEntries(
      parameters.tmpfs.map((mount) => [mount.containerPath, [`size=${mount.size}m`, ...(mount.mountOptions ?? [])].join(',')]),
    );
  }
  return hostConfig;
}

/**
 * ECS's `name:value` security options as the engine's `name=value`;
 * `no-new-privileges` is the same on both. A Windows credential spec has no
 * meaning on a Linux engine.
 */
function securityOptions(options: string[], at: PropertyKey[], collector: Collector): string[] {
  return options.flatMap((option, optionIndex) => {
    if (option.startsWith('credentialspec:')) {
      collector.problem([...at, optionIndex], 'credentialspec (Windows gMSA) is not supported by ecs:local');
      return [];
    }
    return [option.replace(':', '=')];
  });
}

/** A START dependency on each linked container, unless the definition already orders them. */
function dependencies(container: ContainerDefinition): Dependency[] {
  const explicit: Dependency[] = (container.dependsOn ?? []).map((dependency) => ({
    containerName: dependency.containerName!,
    condition: dependency.condition!,
  }));
  const linked = (container.links ?? [])
    .map((link) => link.split(':')[0]!)
    .filter((target) => !explicit.some((dependency) => dependency.containerName === target))
    .map((target): Dependency => ({ containerName: target, condition: 'START' }));
  return [...explicit, ...linked];
}

/** Containers in an order where each comes after what it depends on; a cycle is a problem. */
function startOrder(plans: ContainerPlan[], collector: Collector): ContainerPlan[] {
  const byName = new Map(plans.map((plan) => [plan.name, plan]));
  const ordered: ContainerPlan[] = [];
  const visiting: string[] = [];
  const visit = (plan: ContainerPlan): void => {
    if (ordered.includes(plan)) return;
    if (visiting.includes(plan.name)) {
      collector.problem(
        ['containerDefinitions'],
        `dependsOn and links form a cycle: ${[...visiting.slice(visiting.indexOf(plan.name)), plan.name].join(' → ')}`,
      );
      return;
    }
    visiting.push(plan.name);
    for (const dependency of plan.dependsOn) {
      const target = byName.get(dependency.containerName);
      if (target) visit(target);
      else
        collector.problem(
          ['containerDefinitions'],
          `${plan.name} depends on ${dependency.containerName}, which is not a container of this task`,
        );
    }
    visiting.pop();
    ordered.push(plan);
  };
  plans.forEach(visit);
  return ordered;
}

function translateContainer(
  container: ContainerDefinition,
  index: number,
  definition: { family: string; network: string },
  context: TaskContext,
  collector: Collector,
): ContainerPlan {
  const at = (...rest: PropertyKey[]) => ['containerDefinitions', index, ...rest];
  const name = container.name!;
  const where = `${definition.family}/${name}`;
  const taskName = (containerName: string) => dockerName(context.instance, context.taskId, containerName);
  collector.fields(container, at(), TRANSLATED_CONTAINER_FIELDS, CONTAINER_FIELDS_NOT_HONOURED, where);

  const environment = (container.environment ?? []).map((variable) => `${variable.name}=${variable.value}`);
  const secrets = (container.secrets ?? []).flatMap((secret, secretIndex) => {
    const value = context.secrets[secret.valueFrom!];
    if (value !== undefined) return [`${secret.name}=${value}`];
    collector.problem(
      at('secrets', secretIndex, 'valueFrom'),
      `secret ${secret.name}: ${secret.valueFrom} is not in ${context.secretsSource}`,
    );
    return [];
  });

  const portMappings = (container.portMappings ?? []).map((mapping, mappingIndex) => {
    collector.fields(
      mapping,
      at('portMappings', mappingIndex),
      TRANSLATED_PORT_MAPPING_FIELDS,
      PORT_MAPPING_FIELDS_NOT_HONOURED,
      where,
      'portMappings[].',
    );
    if (mapping.containerPort === undefined) collector.problem(at('portMappings', mappingIndex, 'containerPort'), 'required by ecs:local');
    return { containerPort: mapping.containerPort ?? 0, protocol: mapping.protocol ?? 'tcp', hostPort: mapping.hostPort ?? 0 };
  });

  const essential = container.essential ?? true;
  const hostConfig: Docker.HostConfig = {
    NetworkMode: definition.network,
    // Published on loopback only: what a target group reaches on the instance, nothing more.
    PortBindings: Object.fromEntries(
      portMappings.map((mapping) => [
        `${mapping.containerPort}/${mapping.protocol}`,
        [{ HostIp: '127.0.0.1', HostPort: mapping.hostPort ? String(mapping.hostPort) : '' }],
      ]),
    ),
    ...(container.linuxParameters ? linuxParameters(container.linuxParameters, at('linuxParameters'), collector, where) : {}),
  };
  if (container.memory !== undefined) hostConfig.Memory = container.memory * BYTES_PER_MIB;
  if (container.memoryReservation !== undefined) hostConfig.MemoryReservation = container.memoryReservation * BYTES_PER_MIB;
  // ECS passes cpu units to Docker as CPU shares, whose minimum is 2.
  if (container.cpu) hostConfig.CpuShares = Math.max(2, container.cpu);
  if (container.readonlyRootFilesystem !== undefined) hostConfig.ReadonlyRootfs = container.readonlyRootFilesystem;
  if (container.dockerSecurityOptions)
    hostConfig.SecurityOpt = securityOptions(container.dockerSecurityOptions, at('dockerSecurityOptions'), collector);
  if (container.privileged !== undefined) hostConfig.Privileged = container.privileged;
  if (container.ulimits)
    hostConfig.Ulimits = container.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.softLimit, Hard: limit.hardLimit }));

  const stopTimeoutSeconds = container.stopTimeout ?? ECS_DEFAULTS.stopTimeoutSeconds;
  const createOptions: Docker.ContainerCreateOptions = {
    name: taskName(name),
    Image: container.image,
    Env: [...environment, ...secrets],
    ExposedPorts: Object.fromEntries(portMappings.map((mapping) => [`${mapping.containerPort}/${mapping.protocol}`, {}])),
    StopTimeout: stopTimeoutSeconds,
    Labels: {
      ...container.dockerLabels,
      [INSTANCE_LABEL]: context.instance,
      [ROLE_LABEL]: TASK_ROLE,
      [SERVICE_LABEL]: context.service,
      [FAMILY_LABEL]: definition.family,
      [TASK_LABEL]: context.taskId,
      [CONTAINER_LABEL]: name,
      [ESSENTIAL_LABEL]: String(essential),
    },
    HostConfig: hostConfig,
    NetworkingConfig: {
      EndpointsConfig: {
        // As on ECS's bridge network, a container reaches only the containers it links, by their names.
        [definition.network]: {
          Links: (container.links ?? []).map((link) => {
            const [target, alias] = link.split(':') as [string, string | undefined];
            return `${taskName(target)}:${alias ?? target}`;
          }),
        },
      },
    },
  };
  if (container.entryPoint) createOptions.Entrypoint = container.entryPoint;
  if (container.command) createOptions.Cmd = container.command;
  if (container.workingDirectory) createOptions.WorkingDir = container.workingDirectory;
  if (container.user) createOptions.User = container.user;
  if (container.hostname) createOptions.Hostname = container.hostname;
  if (container.healthCheck) createOptions.Healthcheck = healthConfig(container.healthCheck);

  return {
    name,
    essential,
    dependsOn: dependencies(container),
    startTimeoutSeconds: container.startTimeout ?? ECS_DEFAULTS.startTimeoutSeconds,
    stopTimeoutSeconds,
    portMappings,
    createOptions,
  };
}

/**
 * Translates one rendered task definition into a plan for the local engine:
 * a user-defined bridge network for the task and one create-options object per
 * container. Throws a ConfigError listing every problem (unsupported field,
 * missing secret, dependency cycle) before anything is created.
 */
export function translateTask(input: RegisterTaskDefinitionCommandInput, context: TaskContext): TranslatedTask {
  const collector = new Collector(context.source);
  const family = input.family!;
  collector.fields(input, [], TRANSLATED_TASK_FIELDS, TASK_FIELDS_NOT_HONOURED, family);
  if ((input.networkMode ?? 'bridge') !== 'bridge')
    collector.problem(['networkMode'], `${input.networkMode} is not supported by ecs:local (bridge only)`);

  const network = dockerName(context.instance, context.taskId);
  const definition = { family, network };
  const containers = (input.containerDefinitions ?? []).map((container, index) =>
    translateContainer(container, index, definition, context, collector),
  );
  const ordered = startOrder(containers, collector);
  if (collector.problems.length > 0) throw new ConfigError(collector.problems);
  return {
    plan: {
      family,
      service: context.service,
      taskId: context.taskId,
      network: {
        Name: network,
        Labels: { [INSTANCE_LABEL]: context.instance, [TASK_LABEL]: context.taskId, [SERVICE_LABEL]: context.service },
      },
      containers: ordered,
    },
    notHonoured: mergeNotHonoured([collector.notHonoured]),
  };
}
