import { displayPath, type Environment, type RenderedTaskDefinition } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';

/** Installed memory (MiB) of the instance types a capacity block may name. */
const INSTANCE_MEMORY_MIB: Readonly<Record<string, number>> = {
  't3.small': 2048,
  't3.medium': 4096,
  't3.large': 8192,
  't3.xlarge': 16384,
  't3a.small': 2048,
  't3a.medium': 4096,
  't3a.large': 8192,
  't3a.xlarge': 16384,
  'm6i.large': 8192,
  'm6i.xlarge': 16384,
  'm7i.large': 8192,
  'm7i.xlarge': 16384,
};

/** Tried in this order when the environment names no instance type: the first that places the peak wins. */
export const DEFAULT_INSTANCE_TYPES = ['t3.small', 't3.medium', 't3.large', 't3.xlarge'] as const;

/** Written to /etc/ecs/ecs.config: memory the agent keeps back for the OS, Docker and itself. */
export const ECS_RESERVED_MEMORY_MIB = 256;

/**
 * What the ECS agent registers for tasks on one instance: the kernel and the
 * platform take about 5% of the installed memory (AWS's example: an m4.large
 * has 8,192 MiB installed and registers 7,985), then ECS_RESERVED_MEMORY.
 */
export function schedulableMemory(instanceType: string): number {
  return Math.floor(INSTANCE_MEMORY_MIB[instanceType]! * 0.95) - ECS_RESERVED_MEMORY_MIB;
}

/**
 * What ECS reserves on an instance for one task: the task-level memory if the
 * definition sets it, else each container's memoryReservation, or its memory
 * where it reserves nothing.
 */
export function taskMemory(input: RenderedTaskDefinition['input']): number {
  if (input.memory) return Number(input.memory);
  return (input.containerDefinitions ?? []).reduce((sum, container) => sum + (container.memoryReservation ?? container.memory ?? 0), 0);
}

export interface PeakTasks {
  service: string;
  family: string;
  /** MiB each task reserves. */
  memory: number;
  /** maxCapacity × maximumPercent: the old and new tasks of a rolling deploy at full scale. */
  count: number;
}

/** Every task the services can run at once: each at its maximum count, in the middle of a rolling deploy. */
export function peakTasks(environment: Environment, taskDefinitions: readonly RenderedTaskDefinition[]): PeakTasks[] {
  return Object.entries(environment.services).map(([service, settings]) => {
    const definition = taskDefinitions.find((candidate) => candidate.services.includes(service))!;
    return {
      service,
      family: definition.family,
      memory: taskMemory(definition.input),
      count: Math.ceil((settings.autoScaling.maxCapacity * settings.deploymentConfiguration.maximumPercent) / 100),
    };
  });
}

/** Instances of `schedulable` MiB that hold these tasks, packed largest first (first-fit decreasing). */
export function instancesFor(tasks: readonly PeakTasks[], schedulable: number): number {
  const free: number[] = [];
  const memories = tasks.flatMap((task) => Array.from({ length: task.count }, () => task.memory)).sort((a, b) => b - a);
  for (const memory of memories) {
    const instance = free.findIndex((left) => left >= memory);
    if (instance === -1) free.push(schedulable - memory);
    else free[instance]! -= memory;
  }
  return free.length;
}

export interface Sizing {
  instanceType: string;
  /** MiB each instance registers for tasks. */
  schedulableMemory: number;
  /** Instances the peak needs; at most capacity.maxInstances. */
  peakInstances: number;
  peak: PeakTasks[];
}

/**
 * The instance type: the environment's, or the smallest default that places
 * the peak (every service at maxCapacity, mid-deploy at maximumPercent) on
 * capacity.maxInstances instances. A task bigger than an instance, or a peak
 * that does not fit, is a ConfigError naming the field to change.
 */
export function sizeCapacity(environment: Environment, taskDefinitions: readonly RenderedTaskDefinition[]): Sizing {
  const file = displayPath(environment.file);
  const { instanceType, maxInstances } = environment.capacity;
  if (instanceType !== undefined && !(instanceType in INSTANCE_MEMORY_MIB)) {
    throw new ConfigError([
      `${file}: capacity.instanceType: ${instanceType} is not one deploy/infra can size (known: ${Object.keys(INSTANCE_MEMORY_MIB).join(', ')})`,
    ]);
  }
  const peak = peakTasks(environment, taskDefinitions);
  const sized = (type: string): Sizing => ({
    instanceType: type,
    schedulableMemory: schedulableMemory(type),
    peakInstances: instancesFor(peak, schedulableMemory(type)),
    peak,
  });
  const candidates = instanceType === undefined ? DEFAULT_INSTANCE_TYPES.map(sized) : [sized(instanceType)];
  const fitting = candidates.find((candidate) => candidate.peakInstances <= maxInstances);
  if (fitting) return fitting;

  const largest = candidates.at(-1)!;
  const biggest = peak.reduce((big, task) => (task.memory > big.memory ? task : big));
  if (biggest.memory > largest.schedulableMemory) {
    return failure(
      `${file}: capacity.instanceType: a ${biggest.family} task reserves ${biggest.memory} MiB, more than a ${largest.instanceType} registers for tasks (${largest.schedulableMemory} MiB)`,
    );
  }
  const tasks = peak.map((task) => `${task.count} × ${task.family} (${task.memory} MiB)`).join(', ');
  return failure(
    `${file}: capacity.maxInstances: ${maxInstances} ${largest.instanceType} cannot place the peak of a rolling deploy at full scale, ${tasks}: it needs ${largest.peakInstances}`,
  );
}

function failure(problem: string): never {
  throw new ConfigError([problem]);
}
