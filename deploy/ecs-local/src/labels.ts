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
/** `task` or `gateway`. */
export const ROLE_LABEL = 'ping-pong.ecs-local.role';
/** On the gateway: the URL it listens on, for `ps`. */
export const GATEWAY_URL_LABEL = 'ping-pong.ecs-local.gateway-url';
/** On the gateway: the host directory holding its generated nginx.conf, removed by `down`. */
export const GATEWAY_CONFIG_DIR_LABEL = 'ping-pong.ecs-local.gateway-config-dir';

/** Docker object names: `ecs-local-<env>-<task id>-<container>`; readable in `docker ps`. */
export function dockerName(instance: string, ...parts: string[]): string {
  return ['ecs-local', instance, ...parts].join('-');
}
