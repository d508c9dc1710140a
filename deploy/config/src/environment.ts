import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ConfigError } from './errors';
import { displayPath, ENVIRONMENTS_DIR } from './paths';
import { parseWith, readJsonFile } from './validation';

const name = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 letters, digits, hyphens or underscores');
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1-64 letters, digits or +=,.@_-)');

/** A registry host with an optional path, no scheme and no trailing slash (ECR_REGISTRY, ecs:local's local name). */
export const registrySchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9._-]+)*$/,
    'must be a registry host like 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  );

const deploymentConfiguration = z.strictObject({
  deploymentCircuitBreaker: z.strictObject({ enable: z.boolean(), rollback: z.boolean() }),
  minimumHealthyPercent: z.int().min(0).max(100),
  maximumPercent: z.int().min(100).max(200),
}) satisfies z.ZodType<DeploymentConfiguration>;

const autoScaling = z
  .strictObject({
    minCapacity: z.int().min(0),
    maxCapacity: z.int().min(1),
    targetCpuUtilizationPercent: z.number().min(10).max(90),
    scaleOutCooldownSeconds: z.int().min(0),
    scaleInCooldownSeconds: z.int().min(0),
  })
  .refine((scaling) => scaling.minCapacity <= scaling.maxCapacity, {
    message: 'minCapacity must not exceed maxCapacity',
    path: ['minCapacity'],
  });

const service = z
  .strictObject({
    /** A file name in deploy/task-definitions/. */
    taskDefinition: z.string().regex(/^[\w.-]+\.json$/, 'must be a file name in deploy/task-definitions/, like node.json'),
    /** Set on every deploy unless autoScaling manages the count. */
    desiredCount: z.int().min(0),
    healthCheckGracePeriodSeconds: z.int().min(0).max(2_147_483_647).optional(),
    deploymentConfiguration,
    autoScaling: autoScaling.optional(),
  })
  .refine(
    (svc) => !svc.autoScaling || (svc.desiredCount >= svc.autoScaling.minCapacity && svc.desiredCount <= svc.autoScaling.maxCapacity),
    { message: 'must lie between autoScaling.minCapacity and autoScaling.maxCapacity', path: ['desiredCount'] },
  );

const path_ = z.string().regex(/^\/[\w./*?-]*$/, 'must be a path starting with /');

const targetGroup = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or hyphens (an ALB target group name)'),
  service: name,
  containerName: name,
  containerPort: z.int().min(1).max(65535),
  healthCheck: z.strictObject({
    path: path_,
    matcher: z.string().regex(/^\d{3}([-,]\d{3})*$/, 'must be HTTP codes like 200 or 200-299'),
    intervalSeconds: z.int().min(5).max(300),
    healthyThresholdCount: z.int().min(2).max(10),
    unhealthyThresholdCount: z.int().min(2).max(10),
  }),
  deregistrationDelaySeconds: z.int().min(0).max(3600),
});

/**
 * What the user creates once in front of the services (the deploy does not
 * create it): an ALB listener whose path rules pick a target group, each
 * target group bound to one container port of one service.
 */
const loadBalancer = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or hyphens (an ALB name)'),
  listener: z.strictObject({ protocol: z.enum(['HTTP', 'HTTPS']), port: z.int().min(1).max(65535) }),
  targetGroups: z.array(targetGroup).min(1),
  rules: z.array(
    z.strictObject({ priority: z.int().min(1).max(50_000), pathPatterns: z.array(path_).min(1).max(5), targetGroup: z.string() }),
  ),
  defaultTargetGroup: z.string(),
});

/**
 * Who may deploy here from GitHub Actions (OIDC): jobs of one repository,
 * either on one branch (no GitHub environment) or in one GitHub environment
 * (whose protection rules carry the required reviewers).
 */
const github = z.strictObject({
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be <owner>/<repository>, like YOUR-ORG/ping-pong'),
  deploysFrom: z.union([
    z.strictObject({ branch: z.string().regex(/^[\w./-]+$/, 'must be a branch name like main') }),
    z.strictObject({ environment: z.string().regex(/^[\w.-]+$/, 'must be a GitHub environment name like production') }),
  ]),
});

const environmentFile = z
  .strictObject({
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like eu-west-1'),
    cluster: name,
    /** Names only: the ARNs follow from `account`. */
    roles: z.strictObject({ task: roleName, execution: roleName, deploy: roleName }),
    github,
    /**
     * An environment whose images are not pushed to by the pipeline but
     * replicated (ECR replication) from the named environment's registry, so
     * it runs exactly the images that environment ran.
     */
    promotedFrom: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must name another file in deploy/environments/, like staging')
      .optional(),
    services: z.record(name, service).refine((services) => Object.keys(services).length > 0, 'must name at least one service'),
    loadBalancer,
  })
  .superRefine((environment, context) => {
    const { targetGroups, rules, defaultTargetGroup } = environment.loadBalancer;
    const groupNames = new Set(targetGroups.map((group) => group.name));
    const unknownGroup = (target: string, at: PropertyKey[]) => {
      if (!groupNames.has(target))
        context.addIssue({ code: 'custom', message: `names no target group in loadBalancer.targetGroups`, path: at });
    };
    rules.forEach((rule, index) => unknownGroup(rule.targetGroup, ['loadBalancer', 'rules', index, 'targetGroup']));
    unknownGroup(defaultTargetGroup, ['loadBalancer', 'defaultTargetGroup']);
    targetGroups.forEach((group, index) => {
      if (!(group.service in environment.services)) {
        context.addIssue({
          code: 'custom',
          message: 'names no service in services',
          path: ['loadBalancer', 'targetGroups', index, 'service'],
        });
      }
    });
    const priorities = rules.map((rule) => rule.priority);
    priorities.forEach((priority, index) => {
      if (priorities.indexOf(priority) !== index) {
        context.addIssue({
          code: 'custom',
          message: `priority ${priority} is used twice`,
          path: ['loadBalancer', 'rules', index, 'priority'],
        });
      }
    });
  });

export type ServiceSettings = z.infer<typeof service>;
export type AutoScalingSettings = z.infer<typeof autoScaling>;
export type LoadBalancerSettings = z.infer<typeof loadBalancer>;
export type TargetGroupSettings = z.infer<typeof targetGroup>;

export type GitHubSettings = z.infer<typeof github>;

export interface Environment extends z.infer<typeof environmentFile> {
  /** The file's name without `.json`: `staging`, `production`. */
  readonly name: string;
  /** The file it was read from. */
  readonly file: string;
  /** This account's ECR registry in this region: `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registry: string;
  readonly roleArns: { readonly task: string; readonly execution: string; readonly deploy: string };
}

/** What follows from the file: the registry host and the role ARNs, so the file states each fact once. */
function derived(file: z.infer<typeof environmentFile>): Pick<Environment, 'registry' | 'roleArns'> {
  const arn = (role: string) => `arn:aws:iam::${file.account}:role/${role}`;
  return {
    registry: `${file.account}.dkr.ecr.${file.region}.amazonaws.com`,
    roleArns: { task: arn(file.roles.task), execution: arn(file.roles.execution), deploy: arn(file.roles.deploy) },
  };
}

/** Reads and validates `deploy/environments/<name>.json`; a bad name or file is a ConfigError. */
export function loadEnvironment(environmentName: string, directory = ENVIRONMENTS_DIR): Environment {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(environmentName)) {
    throw new ConfigError([
      `--env ${JSON.stringify(environmentName)}: must be the name of a file in deploy/environments/ (like production)`,
    ]);
  }
  const file = path.join(directory, `${environmentName}.json`);
  if (!existsSync(file)) {
    const known = readdirSync(directory)
      .filter((entry) => entry.endsWith('.json'))
      .map((entry) => entry.slice(0, -'.json'.length));
    throw new ConfigError([`--env ${environmentName}: no such environment (known: ${known.join(', ') || 'none'})`]);
  }
  const parsed = parseWith(environmentFile, readJsonFile(file), file);
  if (parsed.promotedFrom !== undefined && !existsSync(path.join(directory, `${parsed.promotedFrom}.json`))) {
    throw new ConfigError([`${displayPath(file)}: promotedFrom: names no file in ${displayPath(directory)}/`]);
  }
  if (parsed.promotedFrom === environmentName) throw new ConfigError([`${displayPath(file)}: promotedFrom: names this environment itself`]);
  return { ...parsed, ...derived(parsed), name: environmentName, file };
}
