/**
 * The names an environment's AWS resources take, all derived from one prefix
 * and the environment's name, so the environment files repeat none of them
 * and two environments never collide: not in one account and region (a
 * cluster, load balancer, target group, log group or task-definition family
 * is unique per region), nor in one account (an IAM role name is unique
 * across all regions).
 */

/** What the stack and every resource it names start with, before the environment's name. */
export const APPLICATION_PREFIX = 'ping-pong';

/** `ping-pong-<environment>`: the stack's name, and the start of every name below. */
export const namePrefix = (environmentName: string) => `${APPLICATION_PREFIX}-${environmentName}`;

export interface ResourceNames {
  /** `ping-pong-<environment>`; also `${NAME_PREFIX}` in the task-definition files (family, log groups). */
  readonly namePrefix: string;
  /** The ECS cluster. */
  readonly cluster: string;
  /** The IAM roles: global to the account, hence the environment in each. */
  readonly roles: { readonly task: string; readonly execution: string; readonly deploy: string };
  /** The application load balancer. */
  readonly loadBalancerName: string;
  /** Each target group's own name, by the name the environment file gives it. */
  readonly targetGroupNames: Readonly<Record<string, string>>;
}

/** ELBv2: at most 32 letters, digits or hyphens, not starting or ending with a hyphen (nor `internal-` for a load balancer). */
const ELB_NAME = /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
/** IAM: at most 64 of letters, digits and `+=,.@_-`. */
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function resourceNames(environmentName: string, targetGroups: readonly string[]): ResourceNames {
  const prefix = namePrefix(environmentName);
  return {
    namePrefix: prefix,
    cluster: prefix,
    roles: { task: `${prefix}-task`, execution: `${prefix}-execution`, deploy: `${prefix}-deploy` },
    loadBalancerName: prefix,
    targetGroupNames: Object.fromEntries(targetGroups.map((group) => [group, `${prefix}-${group}`])),
  };
}

/**
 * The names AWS would refuse, as `<json.path or "the environment's name">: <problem>`:
 * a long environment name or target-group name can push a derived name over
 * its limit, which CloudFormation would only report halfway through a create.
 */
export function resourceNameProblems(names: ResourceNames, environmentName: string): string[] {
  const problems: string[] = [];
  const shorten = `use a shorter environment (file) name than "${environmentName}"`;
  if (!ELB_NAME.test(names.loadBalancerName))
    problems.push(
      `the load balancer's name "${names.loadBalancerName}" (${names.loadBalancerName.length} characters) is not a valid ALB name (at most 32 letters, digits or inner hyphens): ${shorten}`,
    );
  Object.entries(names.targetGroupNames).forEach(([group, name], index) => {
    if (!ELB_NAME.test(name))
      problems.push(
        `loadBalancer.targetGroups[${index}].name: makes the target group's name "${name}" (${name.length} characters), over the 32 an ALB target group may have: shorten "${group}", or ${shorten}`,
      );
  });
  for (const [role, name] of Object.entries(names.roles)) {
    if (!IAM_ROLE_NAME.test(name))
      problems.push(`the ${role} role's name "${name}" (${name.length} characters) is over the 64 IAM allows: ${shorten}`);
  }
  return problems;
}
