import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { type AwsClients, AwsCallError, call } from './aws';
import { deregisterOldRevisions, retireRolledBackRevisions } from './cleanup';
import type { Clock } from './clock';
import { diffTaskDefinitions, registrationInputOf } from './diff';
import { type Environment, imagesOf, type RenderedTaskDefinition } from '@ping-pong/deploy-config';
import { DeployStoppedError } from './errors';
import { missingImages } from './images';
import type { Output } from './output';
import { waitForRollouts, type Rollout } from './rollout';
import { warnOnScalingDrift } from './scaling';
import { describeServices, primaryDeployment, taskDefinitionsInUse } from './services';

export const ExitCode = { deployed: 0, failed: 1, badInput: 2, timedOut: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface DeployPlan {
  environment: Environment;
  tag: string;
  /** Rendered and validated: nothing below runs on an invalid file. */
  taskDefinitions: readonly RenderedTaskDefinition[];
  dryRun: boolean;
  wait: boolean;
  timeoutSeconds: number;
  /** How long a rollout may stand still after ECS said it cannot place a task. */
  placementTimeoutSeconds: number;
  /** ACTIVE revisions per family kept after a verified deploy. */
  keep: number;
}

export interface DeployDependencies {
  clients: AwsClients;
  clock: Clock;
  output: Output;
}

/**
 * Check the images, diff, register, update, wait, clean up: the steps of a
 * deploy, each only when the one before it succeeded. Never throws for an AWS
 * failure; the exit code and the printed lines say what happened.
 */
export async function deploy(plan: DeployPlan, dependencies: DeployDependencies): Promise<ExitCode> {
  try {
    return await runDeploy(plan, dependencies);
  } catch (error) {
    if (!(error instanceof DeployStoppedError)) throw error;
    dependencies.output.error(`deploy of ${plan.environment.name} stopped: ${error.message}`);
    return ExitCode.failed;
  }
}

async function runDeploy(plan: DeployPlan, { clients, clock, output }: DeployDependencies): Promise<ExitCode> {
  const { environment } = plan;
  const { cluster } = environment;
  const { ecs } = clients;
  const serviceNames = Object.keys(environment.services);
  output.info(
    `${plan.dryRun ? 'dry run: ' : ''}deploying ${environment.name} to ${cluster} in ${environment.region}, images tagged ${plan.tag}`,
  );

  // 1. Every image is in the registry before anything is written.
  const missing = await missingImages(clients.ecr, environment, imagesOf(plan.taskDefinitions), output);
  if (missing.length > 0) {
    for (const problem of missing) output.error(problem);
    output.error(`deploy of ${environment.name} stopped before any write: ${missing.length} image(s) missing`);
    return ExitCode.badInput;
  }

  const before = await describeServices(ecs, cluster, serviceNames);
  for (const [name, service] of before) {
    const controller = service.deploymentController?.type ?? 'ECS';
    if (controller !== 'ECS') {
      throw new DeployStoppedError(
        `service ${name} uses the ${controller} deployment controller; this deploy drives ECS rolling updates only`,
      );
    }
  }

  await warnOnScalingDrift(clients.scaling, environment, output);

  // 2. What will change, per service, against the revision it runs now.
  const described = new Map<string, TaskDefinition>();
  for (const definition of plan.taskDefinitions) {
    for (const name of definition.services) {
      const currentArn = before.get(name)!.taskDefinition!;
      if (!described.has(currentArn)) {
        const answer = await call('ecs:DescribeTaskDefinition', () =>
          ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: currentArn })),
        );
        described.set(currentArn, answer.taskDefinition!);
      }
      const changes = diffTaskDefinitions(registrationInputOf(described.get(currentArn)!), definition.input);
      output.info(`${name}: ${currentArn} → new revision of ${definition.family}${changes.length === 0 ? ' (no changes)' : ''}`);
      for (const change of changes) output.info(`  ${change}`);
    }
  }
  if (plan.dryRun) {
    output.info('dry run: nothing registered, updated or deregistered');
    return ExitCode.deployed;
  }

  // 3. Register, 4. update, remembering the deployment each update started.
  const revisionOf = new Map<string, string>();
  for (const definition of plan.taskDefinitions) {
    const answer = await call('ecs:RegisterTaskDefinition', () => ecs.send(new RegisterTaskDefinitionCommand(definition.input)));
    const arn = answer.taskDefinition!.taskDefinitionArn!;
    output.info(`registered ${arn}`);
    for (const name of definition.services) revisionOf.set(name, arn);
  }
  const rollouts: Rollout[] = [];
  try {
    for (const name of serviceNames) {
      // The revision only: the count, the deployment configuration and the grace period are the stack's (deploy/infra).
      const answer = await call('ecs:UpdateService', () =>
        ecs.send(new UpdateServiceCommand({ cluster, service: name, taskDefinition: revisionOf.get(name) })),
      );
      const primary = primaryDeployment(answer.service);
      if (!primary?.id) throw new DeployStoppedError(`service ${name}: UpdateService answered without a PRIMARY deployment to follow`);
      output.info(`${name}: now deploying ${revisionOf.get(name)} (deployment ${primary.id})`);
      rollouts.push({
        service: name,
        deploymentId: primary.id,
        eventsBefore: new Set((before.get(name)!.events ?? []).map((event) => event.id!)),
        previousTaskDefinition: before.get(name)!.taskDefinition!,
      });
    }
  } catch (error) {
    if (!(error instanceof DeployStoppedError) || rollouts.length === 0) throw error;
    const started = rollouts.map((rollout) => rollout.service).join(', ');
    throw new DeployStoppedError(`${error.message}\nalready updated, and deploying in ECS regardless: ${started}`, { cause: error });
  }

  if (!plan.wait) {
    output.info(
      `not waiting (--no-wait): the deployments go on in ECS; nothing was deregistered. Follow them with: ${describeCommand(environment)}`,
    );
    return ExitCode.deployed;
  }

  // 5. Wait for a verdict.
  const { outcomes, services } = await waitForRollouts(rollouts, {
    ecs,
    cluster,
    timeoutMs: plan.timeoutSeconds * 1000,
    placementTimeoutMs: plan.placementTimeoutSeconds * 1000,
    clock,
    output,
  });
  const failed = [...outcomes].filter(([, outcome]) => outcome.state === 'failed').map(([name]) => name);
  if (failed.length > 0) {
    const retired = await retireRolledBackRevisions(ecs, [...new Set(revisionOf.values())], services.values(), output);
    output.error(
      `deploy of ${environment.name} FAILED: ${failed.join(', ')} did not take ${plan.tag} (see above); ` +
        (retired.length > 0 ? `deregistered only what was rolled back: ${retired.join(', ')}` : 'nothing was deregistered'),
    );
    return ExitCode.failed;
  }
  const unfinished = [...outcomes].flatMap(([name, outcome]) => (outcome.state === 'timed-out' ? [`${name} (${outcome.progress})`] : []));
  if (unfinished.length > 0) {
    output.error(
      `timed out after ${plan.timeoutSeconds}s waiting for ${unfinished.join(', ')}. ` +
        'The service is left as ECS has it: the deployment goes on, and the circuit breaker still rolls it back if it fails. ' +
        `Nothing was deregistered. Follow it with: ${describeCommand(environment)}`,
    );
    return ExitCode.timedOut;
  }

  // 6. Clean up only now that the new revisions are verified.
  const inUse = taskDefinitionsInUse(services.values());
  for (const definition of plan.taskDefinitions) {
    try {
      await deregisterOldRevisions(ecs, definition.family, plan.keep, inUse, output);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      output.error(`warning: old revisions of ${definition.family} were not cleaned up: ${error.message}`);
    }
  }
  output.info(`deployed ${environment.name}: ${[...revisionOf.values()].join(', ')}`);
  return ExitCode.deployed;
}

function describeCommand(environment: Environment): string {
  return `aws ecs describe-services --region ${environment.region} --cluster ${environment.cluster} --services ${Object.keys(environment.services).join(' ')}`;
}
