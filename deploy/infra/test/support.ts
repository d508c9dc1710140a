import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '@ping-pong/deploy-config';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { featureFlags } from '../src/cdk-app';
import { stackName } from '../src/stack';

export const ENVIRONMENTS = ['staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** The cloud assembly test/global-setup.ts synthesized for this run. */
export function assemblyDir(): string {
  const outdir = process.env.INFRA_TEST_ASSEMBLY;
  if (!outdir) throw new Error('INFRA_TEST_ASSEMBLY is not set: run the infra tests with jest (test/global-setup.ts synthesizes)');
  return outdir;
}

export const templatePath = (name: EnvironmentName) => path.join(assemblyDir(), `${stackName(name)}.template.json`);

const templates = new Map<EnvironmentName, Template>();

/** An environment's synthesized template. */
export function templateOf(name: EnvironmentName): Template {
  if (!templates.has(name)) templates.set(name, Template.fromJSON(JSON.parse(readFileSync(templatePath(name), 'utf8'))));
  return templates.get(name)!;
}

/**
 * An empty stack with cdk.json's feature flags, to build one construct alone
 * in: what it makes is all the template holds. In an environment's account
 * and region when given (ARNs then name them), environment-agnostic otherwise.
 */
export function bareStack(environment?: Pick<Environment, 'account' | 'region'>): Stack {
  const { account, region } = environment ?? {};
  return new Stack(new App({ context: featureFlags() }), 'Bare', environment ? { env: { account, region } } : {});
}

/** The resources of one type in a template, by logical id. */
export function resourcesOf(
  from: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }> {
  return from.findResources(type) as ReturnType<typeof resourcesOf>;
}
