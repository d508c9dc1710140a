import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { ignoreGone } from './docker-errors';
import { removeImages } from './images';
import {
  CONTAINER_LABEL,
  FAMILY_LABEL,
  INSTANCE_LABEL,
  LOAD_BALANCER_CONFIG_DIR_LABEL,
  LOAD_BALANCER_ROLE,
  LOAD_BALANCER_URL_LABEL,
  ROLE_LABEL,
  TASK_LABEL,
  TASK_ROLE,
} from './labels';
import { LOCAL_REGISTRY, localImageTag } from './plan';

export interface ContainerRow {
  task: string;
  container: string;
  image: string;
  /** `healthy`, `starting`, `unhealthy`, or the state when there is no health check (`running`, `exited (0)`). */
  health: string;
  hostPort: string;
}

export interface Inventory {
  loadBalancerUrl: string | undefined;
  rows: ContainerRow[];
}

function health(container: Docker.ContainerInfo): string {
  if (container.State !== 'running') return container.Status.replace(/^Exited \((\d+)\).*/, 'exited ($1)');
  return /\((healthy|unhealthy|health: starting)\)/.exec(container.Status)?.[1]?.replace('health: ', '') ?? 'running';
}

/** What `ps` (and `up`) shows: from the engine itself, so any terminal sees the same. */
export async function inventory(docker: Docker, instance: string): Promise<Inventory> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${instance}`] } });
  const loadBalancer = containers.find((container) => container.Labels[ROLE_LABEL] === LOAD_BALANCER_ROLE);
  const rows = containers
    .filter((container) => container.Labels[ROLE_LABEL] === TASK_ROLE)
    .map((container) => ({
      task: `${container.Labels[FAMILY_LABEL]} ${container.Labels[TASK_LABEL]}`,
      container: container.Labels[CONTAINER_LABEL] ?? '',
      image: container.Image,
      health: health(container),
      hostPort: container.Ports.filter((port) => port.PublicPort)
        .map((port) => `${port.IP}:${port.PublicPort}->${port.PrivatePort}/${port.Type}`)
        .join(', '),
    }))
    .sort((a, b) => a.task.localeCompare(b.task) || a.container.localeCompare(b.container));
  return { loadBalancerUrl: loadBalancer?.State === 'running' ? loadBalancer.Labels[LOAD_BALANCER_URL_LABEL] : undefined, rows };
}

export function formatInventory({ loadBalancerUrl, rows }: Inventory): string {
  const header: ContainerRow = { task: 'TASK', container: 'CONTAINER', image: 'IMAGE', health: 'HEALTH', hostPort: 'HOST PORT' };
  const columns = Object.keys(header) as (keyof ContainerRow)[];
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const lines = [header, ...rows].map((row) =>
    columns
      .map((column, index) => row[column].padEnd(widths[index]!))
      .join('  ')
      .trimEnd(),
  );
  return [...lines, '', `load balancer: ${loadBalancerUrl ?? 'not running'}`].join('\n');
}

/** What `down` removed, by kind. */
export interface Removed {
  containers: number;
  networks: number;
  images: number;
}

/** `down`'s report, in whichever terminal it ran. */
export function describeRemoved(instance: string, { containers, networks, images }: Removed): string {
  return `removed ${containers} containers, ${networks} networks, ${images} image tags of ${instance}`;
}

/** `docker stop` with the container's own stop timeout (its task definition's stopTimeout): SIGTERM, and SIGKILL only after it. */
async function stopGracefully(docker: Docker, containers: Docker.ContainerInfo[]): Promise<void> {
  await Promise.all(
    containers
      .filter((container) => container.State === 'running')
      .map((container) =>
        docker
          .getContainer(container.Id)
          .stop()
          // Stopped or gone meanwhile; anything else surfaces when it is removed below.
          .catch(() => undefined),
      ),
  );
}

/**
 * Removes every container, network, load balancer config directory and local
 * image tag labelled with this instance; nothing else. Containers still
 * running are stopped first as `docker stop` does (the load balancer first, so
 * nothing new reaches the tasks), never killed outright, so they exit as they
 * would on ECS.
 */
export async function down(docker: Docker, instance: string): Promise<Removed> {
  const filters = { label: [`${INSTANCE_LABEL}=${instance}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await stopGracefully(
    docker,
    containers.filter((container) => container.Labels[ROLE_LABEL] === LOAD_BALANCER_ROLE),
  );
  await stopGracefully(
    docker,
    containers.filter((container) => container.Labels[ROLE_LABEL] !== LOAD_BALANCER_ROLE),
  );
  await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(ignoreGone)));
  for (const container of containers) {
    const configDir = container.Labels[LOAD_BALANCER_CONFIG_DIR_LABEL];
    // Only a directory ecs:local made itself (mkdtemp under the temp dir).
    if (configDir && path.dirname(configDir) === os.tmpdir() && path.basename(configDir).startsWith('ecs-local-'))
      rmSync(configDir, { recursive: true, force: true });
  }
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((network) => docker.getNetwork(network.Id).remove().catch(ignoreGone)));
  const images = await removeImages(docker, LOCAL_REGISTRY, localImageTag(instance));
  return { containers: containers.length, networks: networks.length, images: images.length };
}
