/**
 * Every container and network ecs:local creates carries INSTANCE_LABEL (the instance: the environment name, or a test run's own), so
 * `down` removes exactly what `up` made and nothing another tool created.
 */
export const INSTANCE_LABEL = 'ping-pong.ecs-local.instance';
export const TASK_LABEL = 'ping-pong.ecs-local.task';
export const SERVICE_LABEL = 'ping-pong.ecs-local.service';
export const FAMILY_LABEL = 'ping-pong.ecs-local.family';
export const CONTAINER_LABEL = 'ping-pong.ecs-local.container';
export const ESSENTIAL_LABEL = 'ping-pong.ecs-local.essential';
/** TASK_ROLE or LOAD_BALANCER_ROLE. */
export const ROLE_LABEL = 'ping-pong.ecs-local.role';
/** A container of a task. */
export const TASK_ROLE = 'task';
/** The nginx container that stands in for the ALB (load-balancer.ts); not apps/nginx, the gateway of the compose stacks. */
export const LOAD_BALANCER_ROLE = 'load-balancer';
/** On the load balancer: the URL it listens on, for `ps`. */
export const LOAD_BALANCER_URL_LABEL = 'ping-pong.ecs-local.load-balancer-url';
/** On the load balancer: the host directory holding its generated nginx.conf (and `up`'s socket), removed by `down`. */
export const LOAD_BALANCER_CONFIG_DIR_LABEL = 'ping-pong.ecs-local.load-balancer-config-dir';

/** Docker object names: `ecs-local-<env>-<task id>-<container>`; readable in `docker ps`. */
export function dockerName(instance: string, ...parts: string[]): string {
  return ['ecs-local', instance, ...parts].join('-');
}
