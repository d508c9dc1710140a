import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { type DiedContainer, type DieWatch, watchDeaths } from './engine-events';
import { CONTAINER_LABEL, ESSENTIAL_LABEL, INSTANCE_LABEL, ROLE_LABEL, TASK_LABEL, TASK_ROLE } from './labels';
import type { LocalLoadBalancer } from './load-balancer';
import { LoadBalancerTargets, type TargetAddress } from './load-balancer-targets';
import type { LocalPlan, ServicePlan } from './plan';
import { planTask } from './plan';
import type { ContainerPlan, Dependency, TaskPlan } from './translate';

export type TaskStatus = 'PROVISIONING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface RunningTask {
  plan: TaskPlan;
  status: TaskStatus;
  stoppedReason?: string;
  containers: Map<string, Docker.Container>;
}

/** Thrown when a task cannot reach RUNNING; the task is stopped, its containers kept for `docker logs`. */
class TaskFailedError extends Error {}

const POLL_MS = 250;

/** Docker's answers for a container that is already stopped (304) or already removed (404): the stop is done either way. */
const ALREADY_GONE = new Set([304, 404]);

/** The exit code of a stopped container, or what happened to it; never throws. */
async function exitOf(container: Docker.Container): Promise<string> {
  try {
    const { State } = await container.inspect();
    return State.Running ? 'still running' : String(State.ExitCode);
  } catch (error) {
    return (error as { statusCode?: number }).statusCode === 404 ? 'removed' : `unknown (${(error as Error).message})`;
  }
}

async function conditionMet(container: Docker.Container, dependency: Dependency): Promise<boolean> {
  const { State } = await container.inspect();
  const exited = State.Status === 'exited' || State.Status === 'dead';
  switch (dependency.condition) {
    case 'START':
      return true;
    case 'COMPLETE':
      return exited;
    case 'SUCCESS':
      if (exited && State.ExitCode !== 0)
        throw new TaskFailedError(`${dependency.containerName} exited with ${State.ExitCode}; SUCCESS was required`);
      return exited;
    case 'HEALTHY':
      if (exited) throw new TaskFailedError(`${dependency.containerName} exited with ${State.ExitCode} before it was healthy`);
      if (State.Health?.Status === 'unhealthy')
        throw new TaskFailedError(`${dependency.containerName} is unhealthy: ${State.Health.Log?.at(-1)?.Output?.trim() ?? ''}`);
      return State.Health?.Status === 'healthy';
    default:
      throw new TaskFailedError(`unknown dependsOn condition ${String(dependency.condition)}`);
  }
}

/**
 * Runs an environment's tasks on the local engine, in this process, as the
 * ECS agent and the service scheduler do on ECS: starts a task's containers
 * in dependsOn order, stops a task whose essential container exits, stops a
 * task gracefully (stopTimeout), keeps each service's desired count, and
 * registers a task's targets with the load balancer once it runs and
 * deregisters (drains) them before it stops.
 */
export class EcsAgent {
  readonly tasks: RunningTask[] = [];
  private deaths: DieWatch | undefined;

  private constructor(
    private readonly docker: Docker,
    readonly plan: LocalPlan,
    private readonly targets: LoadBalancerTargets,
    private readonly log: (line: string) => void,
  ) {}

  /** Watches the instance's task containers; no task runs yet. */
  static async start(
    docker: Docker,
    plan: LocalPlan,
    options: { loadBalancer: LocalLoadBalancer; log: (line: string) => void },
  ): Promise<EcsAgent> {
    const agent = new EcsAgent(docker, plan, new LoadBalancerTargets(options.loadBalancer), options.log);
    agent.deaths = await watchDeaths(
      docker,
      [`${INSTANCE_LABEL}=${plan.instance}`, `${ROLE_LABEL}=${TASK_ROLE}`],
      (died) => agent.containerDied(died),
      (error) => options.log(`lost the engine's event stream for the tasks: ${error.message}`),
    );
    return agent;
  }

  /** Every service's desired count of tasks, started together; resolves when all their targets are in service. */
  async startServices(): Promise<void> {
    await Promise.all(this.plan.services.flatMap((service) => Array.from({ length: service.desiredCount }, () => this.startTask(service))));
  }

  private service(name: string): ServicePlan {
    const service = this.plan.services.find((candidate) => candidate.service === name);
    if (!service) throw new Error(`no service ${name} in ${this.plan.environment.name}`);
    return service;
  }

  /** Starts one task of a service; resolves once its targets are healthy in their target groups. */
  async startTask(service: ServicePlan | string): Promise<RunningTask> {
    const servicePlan = typeof service === 'string' ? this.service(service) : service;
    const plan = planTask(this.plan, servicePlan);
    const task: RunningTask = { plan, status: 'PROVISIONING', containers: new Map() };
    this.tasks.push(task);
    this.log(`${plan.family} ${plan.taskId}: starting`);
    try {
      await this.docker.createNetwork({ ...plan.network, Driver: 'bridge' });
      await Promise.all(this.startContainers(task));
      if (task.status !== 'PROVISIONING') throw new TaskFailedError(task.stoppedReason ?? 'stopped while starting');
      task.status = 'RUNNING';
      await this.targets
        .register(plan.taskId, await this.targetAddresses(task), () =>
          task.status === 'RUNNING' ? undefined : (task.stoppedReason ?? 'task stopped'),
        )
        .catch((error: Error) => {
          throw new TaskFailedError(error.message);
        });
    } catch (error) {
      await this.stopTask(task, `failed to start: ${(error as Error).message}`);
      throw error instanceof TaskFailedError ? error : new TaskFailedError(`${plan.family} ${plan.taskId}: ${(error as Error).message}`);
    }
    this.log(`${plan.family} ${plan.taskId}: running, targets in service`);
    return task;
  }

  /** One promise per container: created and started as soon as what it depends on is met. */
  private startContainers(task: RunningTask): Promise<void>[] {
    const started = new Map<string, Promise<void>>();
    for (const container of task.plan.containers) {
      const dependencies = container.dependsOn.map((dependency) => started.get(dependency.containerName)!);
      started.set(
        container.name,
        Promise.all(dependencies).then(async () => {
          await this.waitForDependencies(task, container);
          const created = await this.docker.createContainer(container.createOptions);
          task.containers.set(container.name, created);
          if (task.status !== 'PROVISIONING') return;
          await created.start();
        }),
      );
    }
    return [...started.values()];
  }

  private async waitForDependencies(task: RunningTask, container: ContainerPlan): Promise<void> {
    const deadline = Date.now() + container.startTimeoutSeconds * 1000;
    for (const dependency of container.dependsOn) {
      const target = task.containers.get(dependency.containerName)!;
      while (!(await conditionMet(target, dependency))) {
        if (task.status !== 'PROVISIONING') throw new TaskFailedError(task.stoppedReason ?? 'task stopped');
        if (Date.now() > deadline) {
          throw new TaskFailedError(
            `${container.name}: ${dependency.containerName} was not ${dependency.condition} within startTimeout ${container.startTimeoutSeconds}s`,
          );
        }
        await sleep(POLL_MS);
      }
    }
  }

  /** The task's container port for each of its service's target groups, as the host port Docker published it on. */
  private async targetAddresses(task: RunningTask): Promise<TargetAddress[]> {
    return Promise.all(
      this.targets.groupsOf(task.plan.service).map(async (group) => {
        const container = task.containers.get(group.containerName)!;
        const { NetworkSettings } = await container.inspect();
        const hostPort = NetworkSettings.Ports[`${group.containerPort}/tcp`]?.[0]?.HostPort;
        if (!hostPort) throw new TaskFailedError(`${group.containerName} publishes no host port for ${group.containerPort}/tcp`);
        return { group, address: `127.0.0.1:${hostPort}` };
      }),
    );
  }

  /**
   * Stops a task as ECS does: its targets are deregistered and drained first
   * (up to the target group's deregistration delay), then its containers get
   * SIGTERM in reverse dependency order, each killed after its stopTimeout.
   * Logs every container's exit code. Never throws: a load balancer or
   * container that is already gone is reported and the stop goes on.
   */
  async stopTask(task: RunningTask, reason: string): Promise<void> {
    if (task.status === 'STOPPING' || task.status === 'STOPPED') return;
    const name = `${task.plan.family} ${task.plan.taskId}`;
    task.status = 'STOPPING';
    task.stoppedReason = reason;
    this.log(`${name}: stopping (${reason})`);
    await this.targets
      .deregister(task.plan.taskId)
      .catch((error: Error) =>
        this.log(`${name}: could not deregister its targets, the load balancer is gone (${error.message}); stopping it anyway`),
      );
    const containers = [...task.plan.containers].reverse().flatMap((plan) => {
      const container = task.containers.get(plan.name);
      return container ? [{ plan, container }] : [];
    });
    for (const { plan, container } of containers) {
      await container.stop({ t: plan.stopTimeoutSeconds }).catch((error: { statusCode?: number; message: string }) => {
        if (!ALREADY_GONE.has(error.statusCode ?? 0)) this.log(`${name}: ${plan.name} did not stop: ${error.message}`);
      });
    }
    const exits = await Promise.all(containers.map(async ({ plan, container }) => `${plan.name} ${await exitOf(container)}`));
    this.log(`${name}: stopped; exit codes: ${exits.join(', ') || 'no container was created'}`);
    task.status = 'STOPPED';
  }

  /** Every task stopped as ECS stops one, all at once, as the scheduler stops a service scaled to zero. */
  async stopAllTasks(reason: string): Promise<void> {
    await Promise.all(this.tasks.map((task) => this.stopTask(task, reason)));
  }

  /** A rolling deployment of one service: each task is replaced by a new one that is in service before the old one drains and stops. */
  async replaceTasks(service: string): Promise<void> {
    for (const old of this.tasks.filter((task) => task.plan.service === service && task.status === 'RUNNING')) {
      await this.startTask(service);
      await this.stopTask(old, 'replaced by a rolling deployment');
    }
  }

  /** An essential container that exits stops its task, as on ECS. */
  private containerDied(died: DiedContainer): void {
    const task = this.tasks.find((candidate) => candidate.plan.taskId === died[TASK_LABEL]);
    if (died[ESSENTIAL_LABEL] === 'true' && task && (task.status === 'RUNNING' || task.status === 'PROVISIONING')) {
      void this.stopTask(task, `essential container ${died[CONTAINER_LABEL]} exited (code ${died.exitCode})`);
    }
  }

  /** Stops watching and health-checking; containers keep running until `down`. */
  close(): void {
    this.deaths?.close();
    this.targets.close();
  }
}
