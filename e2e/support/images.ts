import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GenericContainer } from 'testcontainers';
import { REPO_ROOT } from '@ping-pong/tooling';

/** The product's images and the Dockerfile each is built from (build context: the repo root). */
export const DOCKERFILES = {
  node: 'Dockerfile',
  client: 'apps/client/Dockerfile',
  gateway: 'apps/nginx/Dockerfile',
} as const;
export type ImageKind = keyof typeof DOCKERFILES;

/** Same names as docker-compose.prod.yml gives them (IMAGE_PREFIX/kind:IMAGE_TAG), so compose can run them too. */
export const IMAGE_PREFIX = 'ping-pong';

/** Set by the globalSetup and inherited by every test process: what this jest run created carries it. */
const RUN_ID_VARIABLE = 'PING_PONG_E2E_RUN_ID';
/** Label on every container the helpers start, so a run's leftovers can be found and removed. */
export const RUN_LABEL = 'ping-pong.e2e.run';

export function runId(): string {
  const id = process.env[RUN_ID_VARIABLE];
  if (!id)
    throw new Error(`${RUN_ID_VARIABLE} is not set: run the e2e tests through e2e/jest.config.js, whose globalSetup builds the images`);
  return id;
}

export function startRun(id: string): void {
  process.env[RUN_ID_VARIABLE] = id;
}

export function imageTag(id = runId()): string {
  return `e2e-${id}`;
}

export function imageName(kind: ImageKind, id = runId()): string {
  return `${IMAGE_PREFIX}/${kind}:${imageTag(id)}`;
}

/** Prefix of the names of the networks and compose projects of a run. */
export function resourcePrefix(id = runId()): string {
  return `pp-e2e-${id}`;
}

/**
 * Builds the three images once for the whole jest run, with BuildKit so the
 * layer cache is the one `docker compose build` uses too.
 */
export async function buildImages(id: string): Promise<void> {
  for (const kind of Object.keys(DOCKERFILES) as ImageKind[]) {
    await GenericContainer.fromDockerfile(REPO_ROOT, DOCKERFILES[kind]).withBuildkit().build(imageName(kind, id), { deleteOnExit: false });
  }
}

const execFileAsync = promisify(execFile);

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

const lines = (text: string) => text.split('\n').filter(Boolean);

/**
 * Removes everything a run created: compose projects and networks named with
 * its prefix, containers with its label, its images. Safe to call twice.
 */
export async function removeRunResources(id: string): Promise<void> {
  const prefix = resourcePrefix(id);
  const projects = lines(await docker('ps', '-a', '--format', '{{.ID}} {{.Label "com.docker.compose.project"}}'))
    .map((line) => line.split(' '))
    .filter(([, project]) => project?.startsWith(prefix))
    .map(([containerId]) => containerId!);
  const labelled = lines(await docker('ps', '-aq', '--filter', `label=${RUN_LABEL}=${id}`));
  const containers = [...new Set([...projects, ...labelled])];
  if (containers.length > 0) await docker('rm', '--force', '--volumes', ...containers);
  const networks = lines(await docker('network', 'ls', '--format', '{{.Name}}')).filter((name) => name.startsWith(prefix));
  if (networks.length > 0) await docker('network', 'rm', ...networks);
  const volumes = lines(await docker('volume', 'ls', '--format', '{{.Name}}')).filter((name) => name.startsWith(prefix));
  if (volumes.length > 0) await docker('volume', 'rm', '--force', ...volumes);
  const images = [
    ...lines(await docker('images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${IMAGE_PREFIX}/*:${imageTag(id)}`)),
    // What the run's compose projects built themselves (<project>-<service>, <project>-node-dev).
    ...lines(await docker('images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${prefix}-*`)),
  ];
  if (images.length > 0) await docker('rmi', '--force', ...images);
}
