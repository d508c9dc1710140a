import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DEPLOY_DIR,
  displayPath,
  imagesOf,
  loadEnvironment,
  parseWith,
  readJsonFile,
  renderTaskDefinitions,
  type Environment,
  type RenderedTaskDefinition,
} from '@ping-pong/deploy-config';
import type { NotHonoured, TaskPlan } from './translate';
import { mergeNotHonoured, translateTask } from './translate';

/** The registry part of every locally built image: `ecs-local.ping-pong/microservice-ping-pong/node:<env>-local`. */
export const LOCAL_REGISTRY = 'ecs-local.ping-pong';
export const DEFAULT_SECRETS_FILE = path.join(DEPLOY_DIR, 'secrets.local.json');
/** Committed: every secret the task definitions name, with a harmless value. */
export const EXAMPLE_SECRETS_FILE = path.join(DEPLOY_DIR, 'secrets.local.example.json');

/** The tag of the images a local run uses; one per environment, so `down` removes only its own. */
export function localImageTag(instance: string): string {
  return `${instance}-local`;
}

const secretsFile = z.record(z.string().min(1), z.string());

/**
 * The local stand-in for SSM Parameter Store: `{ "<valueFrom>": "<value>" }`.
 * A missing file is an empty store, so a definition without secrets needs none.
 */
function loadSecrets(file: string): Record<string, string> {
  return existsSync(file) ? parseWith(secretsFile, readJsonFile(file), file) : {};
}

export interface ServicePlan {
  service: string;
  definition: RenderedTaskDefinition;
  desiredCount: number;
}

export interface LocalPlanOptions {
  /** deploy/environments/<environment>.json */
  environment: string;
  /** Labels and names everything this run creates; the environment's name unless a test runs its own instance. */
  instance: string;
  secretsFile: string;
  /** Tasks per service; the service's autoScaling.minCapacity (its count at rest) when unset. */
  desiredCount?: number;
}

export interface LocalPlan {
  environment: Environment;
  instance: string;
  services: ServicePlan[];
  /** Every image the tasks run, rendered to its local name. */
  images: string[];
  secrets: Record<string, string>;
  secretsSource: string;
  notHonoured: NotHonoured[];
}

/**
 * Renders the environment's task definitions exactly as deploy:ecs does, with
 * the images pointing at local tags, and translates each once so every
 * problem (unsupported field, missing secret) is reported before anything starts.
 */
export function planEnvironment(options: LocalPlanOptions): LocalPlan {
  const environment = loadEnvironment(options.environment);
  const definitions = renderTaskDefinitions(environment, { registry: LOCAL_REGISTRY, tag: localImageTag(options.instance) });
  const secrets = loadSecrets(options.secretsFile);
  const secretsSource = existsSync(options.secretsFile)
    ? displayPath(options.secretsFile)
    : `${displayPath(options.secretsFile)} (missing: copy deploy/secrets.local.example.json)`;
  const services = definitions.flatMap((definition) =>
    definition.services.map((service) => ({
      service,
      definition,
      desiredCount: options.desiredCount ?? environment.services[service]!.autoScaling.minCapacity,
    })),
  );
  const translated = definitions.map((definition) =>
    translateTask(definition.input, {
      ...taskContext(options.instance, definition, secrets, secretsSource),
      service: definition.services[0]!,
      taskId: 'check',
    }),
  );
  return {
    environment,
    instance: options.instance,
    services,
    images: imagesOf(definitions),
    secrets,
    secretsSource,
    notHonoured: mergeNotHonoured(translated.map((task) => task.notHonoured)),
  };
}

function taskContext(instance: string, definition: RenderedTaskDefinition, secrets: Record<string, string>, secretsSource: string) {
  return { instance, secrets, secretsSource, source: displayPath(definition.file) };
}

/** A new task of a service, with its own id (like an ECS task id) and network. */
export function planTask(plan: LocalPlan, service: ServicePlan): TaskPlan {
  const taskId = randomBytes(4).toString('hex');
  return translateTask(service.definition.input, {
    ...taskContext(plan.instance, service.definition, plan.secrets, plan.secretsSource),
    service: service.service,
    taskId,
  }).plan;
}
