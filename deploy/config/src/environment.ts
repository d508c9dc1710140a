import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ConfigError } from '@ping-pong/tooling';
import { type ResourceNames, resourceNameProblems, resourceNames } from './names';
import { displayPath, ENVIRONMENTS_DIR } from './paths';
import { parseWith, readJsonFile } from './validation';

const name = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 letters, digits, hyphens or underscores');

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

const service = z.strictObject({
  /** A file name in deploy/task-definitions/. */
  taskDefinition: z.string().regex(/^[\w.-]+\.json$/, 'must be a file name in deploy/task-definitions/, like node.json'),
  healthCheckGracePeriodSeconds: z.int().min(0).max(2_147_483_647).optional(),
  deploymentConfiguration,
  /** The count is auto scaling's: minCapacity at rest (and ecs:local's task count), up to maxCapacity. */
  autoScaling,
});

const path_ = z.string().regex(/^\/[\w./*?-]*$/, 'must be a path starting with /');

/** A short name that a physical name ends with: letters, digits and inner hyphens, as ALB names allow. */
const shortName = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, 'must be letters, digits and hyphens, not starting or ending with one');

const targetGroup = z.strictObject({
  /** What rules name it by; the ALB's target group is named `<namePrefix>-<name>` (at most 32 characters). */
  name: shortName,
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

const port = z.int().min(1).max(65535);

/**
 * HTTP, or HTTPS with an ACM certificate of this account and region; with
 * HTTPS, port 80 redirects to the listener.
 */
const listener = z.discriminatedUnion('protocol', [
  z.strictObject({ protocol: z.literal('HTTP'), port }),
  z.strictObject({
    protocol: z.literal('HTTPS'),
    port,
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
        'must be an ACM certificate ARN like arn:aws:acm:eu-west-1:123456789012:certificate/<id>',
      ),
  }),
]);

/**
 * The ALB in front of the services (created by deploy/infra): a listener
 * whose path rules pick a target group, each target group bound to one
 * container port of one service.
 */
const loadBalancer = z.strictObject({
  listener,
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
  /**
   * An account has one OIDC provider for token.actions.githubusercontent.com:
   * `create` makes the stack own it, `existing` uses the one already there.
   */
  oidcProvider: z.enum(['create', 'existing']),
});

/** Public subnets in each zone, no NAT gateway: the instances reach ECR and CloudWatch through the internet gateway. */
const network = z.strictObject({
  cidr: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR block from /16 to /24, like 10.0.0.0/16'),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/, 'must be an availability zone like eu-west-1a'))
    .min(2, 'must name at least two availability zones')
    .refine((zones) => new Set(zones).size === zones.length, 'must not name a zone twice'),
});

/** The EC2 instances the tasks run on; the instance type defaults to the smallest that places a rolling deploy at the peak. */
const capacity = z
  .strictObject({
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type like t3.medium')
      .optional(),
    minInstances: z.int().min(0),
    maxInstances: z.int().min(1),
  })
  .refine((fleet) => fleet.minInstances <= fleet.maxInstances, {
    message: 'minInstances must not exceed maxInstances',
    path: ['minInstances'],
  });

/** The values CloudWatch Logs accepts as a retention in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const logs = z.strictObject({
  retentionDays: z
    .int()
    .refine((days) => RETENTION_DAYS.includes(days), `must be a retention CloudWatch Logs accepts: ${RETENTION_DAYS.join(', ')}`),
});

/** Where the alarms notify, and when they fire. */
const alarms = z.strictObject({
  email: z.email('must be an e-mail address'),
  /** The load balancer's and the targets' 5xx answers, each, per minute. */
  http5xxPerMinute: z.int().min(1),
  /** p99 of the targets' response time, over five minutes. */
  p99ResponseTimeSeconds: z.number().positive().max(60),
  /** A service's average, over five minutes. */
  cpuPercent: z.number().min(1).max(100),
  memoryPercent: z.number().min(1).max(200),
});

/** The ECR repositories the task definitions' images name. */
const repositories = z.strictObject({
  /** Images kept per repository (untagged ones expire after a day). */
  keepImages: z.int().min(1).max(1000),
});

const environmentFile = z
  .strictObject({
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like eu-west-1'),
    network,
    capacity,
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
    repositories,
    logs,
    alarms,
    services: z.record(name, service).refine((services) => Object.keys(services).length > 0, 'must name at least one service'),
    loadBalancer,
  })
  .superRefine((environment, context) => {
    environment.network.availabilityZones.forEach((zone, index) => {
      if (!zone.startsWith(environment.region) || !/^[a-z]$/.test(zone.slice(environment.region.length))) {
        context.addIssue({
          code: 'custom',
          message: `is not a zone of ${environment.region}`,
          path: ['network', 'availabilityZones', index],
        });
      }
    });
    const { listener } = environment.loadBalancer;
    if (listener.protocol === 'HTTPS') {
      const [, , , region, account] = listener.certificateArn.split(':');
      if (region !== environment.region || account !== environment.account) {
        context.addIssue({
          code: 'custom',
          message: `must be a certificate of account ${environment.account} in ${environment.region}, where the load balancer is`,
          path: ['loadBalancer', 'listener', 'certificateArn'],
        });
      }
    }
    const { targetGroups, rules, defaultTargetGroup } = environment.loadBalancer;
    const groupNames = new Set(targetGroups.map((group) => group.name));
    const unknownGroup = (target: string, at: PropertyKey[]) => {
      if (!groupNames.has(target))
        context.addIssue({ code: 'custom', message: `names no target group in loadBalancer.targetGroups`, path: at });
    };
    rules.forEach((rule, index) => unknownGroup(rule.targetGroup, ['loadBalancer', 'rules', index, 'targetGroup']));
    unknownGroup(defaultTargetGroup, ['loadBalancer', 'defaultTargetGroup']);
    targetGroups.forEach((group, index) => {
      if (targetGroups.findIndex((other) => other.name === group.name) !== index) {
        context.addIssue({ code: 'custom', message: `${group.name} is used twice`, path: ['loadBalancer', 'targetGroups', index, 'name'] });
      }
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

export type LoadBalancerSettings = z.infer<typeof loadBalancer>;
export type TargetGroupSettings = z.infer<typeof targetGroup>;

export interface Environment extends z.infer<typeof environmentFile>, ResourceNames {
  /** The file's name without `.json`: `staging`, `production`. */
  readonly name: string;
  /** The file it was read from. */
  readonly file: string;
  /** This account's ECR registry in this region: `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registry: string;
  readonly roleArns: { readonly task: string; readonly execution: string; readonly deploy: string };
}

/** What follows from the file and its name: the registry host, the resources' names and the role ARNs, so the file states each fact once. */
function derived(file: z.infer<typeof environmentFile>, names: ResourceNames): Pick<Environment, 'registry' | 'roleArns'> {
  const arn = (role: string) => `arn:aws:iam::${file.account}:role/${role}`;
  return {
    registry: `${file.account}.dkr.ecr.${file.region}.amazonaws.com`,
    roleArns: { task: arn(names.roles.task), execution: arn(names.roles.execution), deploy: arn(names.roles.deploy) },
  };
}

/** The environments there are: the file names in deploy/environments/ without `.json`, sorted. */
export function environmentNames(directory = ENVIRONMENTS_DIR): string[] {
  return readdirSync(directory)
    .filter((entry) => entry.endsWith('.json'))
    .map((entry) => entry.slice(0, -'.json'.length))
    .sort();
}

/**
 * Reads and validates `deploy/environments/<name>.json`; a bad name or file is
 * a ConfigError. The problem names the environment as given, not the option it
 * came from: deploy:ecs takes it as --env, deploy:target as an argument.
 */
export function loadEnvironment(environmentName: string, directory = ENVIRONMENTS_DIR): Environment {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(environmentName)) {
    throw new ConfigError([
      `${JSON.stringify(environmentName)}: not an environment name: must be the name of a file in deploy/environments/ (like production)`,
    ]);
  }
  const file = path.join(directory, `${environmentName}.json`);
  if (!existsSync(file)) {
    const known = environmentNames(directory);
    throw new ConfigError([`${environmentName}: no such environment (known: ${known.join(', ') || 'none'})`]);
  }
  const parsed = parseWith(environmentFile, readJsonFile(file), file);
  if (parsed.promotedFrom !== undefined && !existsSync(path.join(directory, `${parsed.promotedFrom}.json`))) {
    throw new ConfigError([`${displayPath(file)}: promotedFrom: names no file in ${displayPath(directory)}/`]);
  }
  if (parsed.promotedFrom === environmentName) throw new ConfigError([`${displayPath(file)}: promotedFrom: names this environment itself`]);
  const names = resourceNames(
    environmentName,
    parsed.loadBalancer.targetGroups.map((group) => group.name),
  );
  const problems = resourceNameProblems(names, environmentName);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `${displayPath(file)}: ${problem}`));
  return { ...parsed, ...names, ...derived(parsed, names), name: environmentName, file };
}
