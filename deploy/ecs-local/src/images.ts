import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { IMAGE_BUILDS, imageRepository } from '@ping-pong/deploy-config';
import { ConfigError, REPO_ROOT } from '@ping-pong/tooling';
import { ignoreGone } from './docker-errors';
import { INSTANCE_LABEL } from './labels';
import { LOCAL_REGISTRY } from './plan';

function dockerBuild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // BuildKit keeps its layer cache when `down` removes the tags, so the next `up` rebuilds in seconds.
    const build = spawn('docker', ['build', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
    });
    build.on('error', reject);
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker build ${args.join(' ')} exited with ${code}`))));
  });
}

async function exists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

export interface ImageOptions {
  instance: string;
  /** Build even when the image exists (after a code change). */
  rebuild: boolean;
  log: (line: string) => void;
}

/** The Dockerfile and stage that build a local image, if this repo builds it. */
function buildOf(image: string): (typeof IMAGE_BUILDS)[string] | undefined {
  const repository = imageRepository(image, LOCAL_REGISTRY);
  return repository === undefined ? undefined : IMAGE_BUILDS[repository];
}

/** Makes every image the tasks name exist locally, built from the repo's Dockerfile for it. */
export async function ensureImages(docker: Docker, images: string[], options: ImageOptions): Promise<void> {
  const unknown = images.filter((image) => !buildOf(image));
  if (unknown.length > 0) throw new ConfigError(unknown.map((image) => `image ${image}: no Dockerfile in this repo builds it`));
  for (const image of images) {
    if (!options.rebuild && (await exists(docker, image))) continue;
    const { dockerfile, target } = buildOf(image)!;
    options.log(`building ${image} from ${dockerfile}`);
    await dockerBuild(['-f', dockerfile, '--target', target, '--label', `${INSTANCE_LABEL}=${options.instance}`, '-t', image, '.']);
  }
}

/** Removes an instance's local image tags; an image that has other tags keeps them. */
export async function removeImages(docker: Docker, registry: string, tag: string): Promise<string[]> {
  const images = await docker.listImages({ filters: { reference: [`${registry}/*/*:${tag}`] } });
  const tags = images.flatMap((image) =>
    (image.RepoTags ?? []).filter((name) => name.startsWith(`${registry}/`) && name.endsWith(`:${tag}`)),
  );
  for (const name of tags) await docker.getImage(name).remove().catch(ignoreGone);
  return tags;
}
