import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Environment } from './environment';
import type { RenderedTaskDefinition } from './render';

/**
 * busybox 1.37 (tag `1.37`), the Docker Official Image as ECR Public mirrors
 * it: public, so it pulls before any image of ours exists and without
 * credentials, and pinned by the digest of its multi-platform index, so what
 * faces the internet until the first deploy cannot change under us. Where the
 * digest comes from and how to refresh it: deploy/README.md, "The first revision".
 */
export const BOOTSTRAP_IMAGE =
  'public.ecr.aws/docker/library/busybox@sha256:9db7b59979c38555a39def84a31fb98b5296952f9e3afd4f6f11f05b07adfab0';

/** Where httpd serves from: a tmpfs, since the root filesystem is read-only. */
export const BOOTSTRAP_DOCUMENT_ROOT = '/tmp/www';

/** The port a bootstrap container serves on when it maps none (nothing reaches it). */
const UNMAPPED_PORT = 3000;

/** busybox's `nobody`: no file of the image is its own. */
const NOBODY = '65534:65534';

/** The file a path is served from under the document root: `/` and `/a/` are directories. */
const servedFile = (path: string) => `${BOOTSTRAP_DOCUMENT_ROOT}${path.endsWith('/') ? `${path}index.html` : path}`;

/**
 * The first revision of a family, registered once when the stack is created
 * so the services can exist before any image is pushed: the family's
 * containers with the same names, port mappings, memory and log
 * configuration, each running busybox httpd, which answers 200 (`ok`) on the
 * health-check paths of the target groups pointing at it and 404 on anything
 * else. No environment, no secrets, no dependencies between containers: it
 * needs nothing this app has not created yet. It carries the five defences
 * every container of this repo carries (hard memory limit, read-only root,
 * no capabilities, no-new-privileges, a user other than root), since it faces
 * the internet until the first `deploy:ecs` replaces it.
 */
export function bootstrapRevision(
  definition: RenderedTaskDefinition,
  environment: Pick<Environment, 'loadBalancer'>,
): RegisterTaskDefinitionCommandInput {
  const { input } = definition;
  const targetGroupsOf = (container: string) =>
    environment.loadBalancer.targetGroups.filter(
      (group) => definition.services.includes(group.service) && group.containerName === container,
    );
  const containerDefinitions = input.containerDefinitions!.map((container): ContainerDefinition => {
    const groups = targetGroupsOf(container.name!);
    // The ports the load balancer checks, else the first mapped one: one httpd each, the last in the foreground.
    const ports = [...new Set(groups.map((group) => group.containerPort))];
    if (ports.length === 0) ports.push(container.portMappings?.[0]?.containerPort ?? UNMAPPED_PORT);
    const files = [...new Set(['/', ...groups.map((group) => group.healthCheck.path)].map(servedFile))];
    const script = [
      ...files.map((file) => `mkdir -p "$(dirname '${file}')" && echo ok > '${file}'`),
      ...ports.map(
        (port, index) => `${index === ports.length - 1 ? 'exec httpd -f' : 'httpd'} -v -p ${port} -h ${BOOTSTRAP_DOCUMENT_ROOT}`,
      ),
    ].join(' && ');
    return {
      name: container.name,
      image: BOOTSTRAP_IMAGE,
      essential: container.essential,
      memory: container.memory,
      memoryReservation: container.memoryReservation,
      portMappings: container.portMappings,
      logConfiguration: container.logConfiguration,
      command: ['sh', '-c', script],
      user: NOBODY,
      readonlyRootFilesystem: true,
      linuxParameters: {
        capabilities: { drop: ['ALL'] },
        tmpfs: [{ containerPath: '/tmp', size: 1 }],
        // An init as PID 1 passes the stop signal on, so httpd stops at once rather than at the stop timeout.
        initProcessEnabled: true,
      },
      dockerSecurityOptions: ['no-new-privileges'],
    };
  });
  return {
    family: input.family,
    networkMode: input.networkMode,
    requiresCompatibilities: input.requiresCompatibilities,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    cpu: input.cpu,
    memory: input.memory,
    containerDefinitions,
  };
}
