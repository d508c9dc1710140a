import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { ECS_HEALTH_CHECK_DEFAULTS } from '@ping-pong/deploy-config';

/** What DescribeTaskDefinition answers but RegisterTaskDefinition refuses: exactly these, nothing else. */
export const READ_ONLY_KEYS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const satisfies readonly (keyof TaskDefinition)[];

/**
 * A described task definition as RegisterTaskDefinition input. Only the
 * read-only keys go; every other field, including ones this code has never
 * heard of and empty-string environment values, is kept as ECS returned it.
 */
export function registrationInputOf(described: TaskDefinition): RegisterTaskDefinitionCommandInput {
  const input: Record<string, unknown> = { ...described };
  for (const key of READ_ONLY_KEYS) delete input[key];
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/**
 * The definition with the defaults ECS fills in on DescribeTaskDefinition
 * (container cpu 0, essential true, port protocol tcp and host port, health
 * check timings, fault injection off) made explicit. Applied to both sides of
 * the diff, so a default left out on one side and answered on the other is
 * no change.
 */
function withEcsDefaults(definition: RegisterTaskDefinitionCommandInput): RegisterTaskDefinitionCommandInput {
  const networkMode = definition.networkMode ?? 'bridge';
  return {
    ...definition,
    networkMode,
    enableFaultInjection: definition.enableFaultInjection ?? false,
    containerDefinitions: definition.containerDefinitions?.map((container) => ({
      ...container,
      cpu: container.cpu ?? 0,
      essential: container.essential ?? true,
      portMappings: container.portMappings?.map((mapping) => ({
        ...mapping,
        protocol: mapping.protocol ?? 'tcp',
        // bridge: 0 is a dynamic host port; awsvpc and host: the container port itself.
        hostPort: mapping.hostPort ?? (networkMode === 'bridge' ? 0 : mapping.containerPort),
      })),
      healthCheck: container.healthCheck && {
        ...container.healthCheck,
        interval: container.healthCheck.interval ?? ECS_HEALTH_CHECK_DEFAULTS.interval,
        timeout: container.healthCheck.timeout ?? ECS_HEALTH_CHECK_DEFAULTS.timeout,
        retries: container.healthCheck.retries ?? ECS_HEALTH_CHECK_DEFAULTS.retries,
        startPeriod: container.healthCheck.startPeriod ?? ECS_HEALTH_CHECK_DEFAULTS.startPeriod,
      },
    })),
  };
}

/** JSON with every object's keys sorted: ECS answers keys in its own order, which is no change. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}

/**
 * One line per leaf: containers keyed by name, environment and secrets by
 * variable name, so a reordered list is no change. Other lists compare whole.
 * Empty lists and objects count as absent (ECS fills some in on describe).
 */
function flatten(definition: RegisterTaskDefinitionCommandInput): Map<string, string> {
  const lines = new Map<string, string>();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value) && value.length === 0) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [child, item] of Object.entries(value)) add(`${key}.${child}`, item);
      return;
    }
    lines.set(key, canonicalJson(value));
  };
  const { containerDefinitions = [], ...task } = definition;
  for (const [key, value] of Object.entries(task)) add(key, value);
  for (const container of containerDefinitions as ContainerDefinition[]) {
    const { name, environment = [], secrets = [], ...rest } = container;
    for (const [key, value] of Object.entries(rest)) add(`${name}.${key}`, value);
    for (const variable of environment) add(`${name}.environment.${variable.name}`, variable.value ?? '');
    for (const secret of secrets) add(`${name}.secrets.${secret.name}`, secret.valueFrom);
  }
  return lines;
}

/** `~ key: old → new`, `+ key: new`, `- key: old`, sorted by key; empty when nothing changes. */
export function diffTaskDefinitions(
  current: RegisterTaskDefinitionCommandInput | undefined,
  next: RegisterTaskDefinitionCommandInput,
): string[] {
  const before = current ? flatten(withEcsDefaults(current)) : new Map<string, string>();
  const after = flatten(withEcsDefaults(next));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.flatMap((key) => {
    const was = before.get(key);
    const will = after.get(key);
    if (was === will) return [];
    if (was === undefined) return [`+ ${key}: ${will}`];
    if (will === undefined) return [`- ${key}: ${was}`];
    return [`~ ${key}: ${was} → ${will}`];
  });
}
