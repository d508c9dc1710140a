import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { ConfigError, IMAGE_BUILDS, imageRepository as repository, REPO_ROOT } from '@ping-pong/deploy-config';
import { ignoreGone } from './docker-errors';
import { INSTANCE_LABEL } from './labels';

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
  /** Already-built images to tag instead of building, by repository (`microservice-ping-pong/node`). */
  prebuilt?: Record<string, string>;
  log: (line: string) => void;
}

/**
 * Makes every image the tasks name exist locally: tagged from a prebuilt image
 * when one is given, else built from the repo's Dockerfile for it.
 */
export async function ensureImages(docker: Docker, images: string[], options: ImageOptions): Promise<void> {
  const unknown = images.filter((image) => !IMAGE_BUILDS[repository(image)]);
  if (unknown.length > 0)
    throw new ConfigError(unknown.map((image) => `image ${image}: no Dockerfile in this repo builds ${repository(image)}`));
  for (const image of images) {
    if (!options.rebuild && (await exists(docker, image))) continue;
    const prebuilt = options.prebuilt?.[repository(image)];
    const [repo, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    if (prebuilt) {
      await docker.getImage(prebuilt).tag({ repo, tag });
      continue;
    }
    const { dockerfile, target } = IMAGE_BUILDS[repository(image)]!;
    options.log(`building ${image} from ${dockerfile}`);
    await dockerBuild(['-f', dockerfile, '--target', target, '--label', `${INSTANCE_LABEL}=${options.instance}`, '-t', image, '.']);
  }
}

/** Removes an instance's local image tags; an image that has other tags (a prebuilt one) keeps them. */
export async function removeImages(docker: Docker, registry: string, tag: string): Promise<string[]> {
  const images = await docker.listImages({ filters: { reference: [`${registry}/*/*:${tag}`] } });
  const tags = images.flatMap((image) =>
    (image.RepoTags ?? []).filter((name) => name.startsWith(`${registry}/`) && name.endsWith(`:${tag}`)),
  );
  for (const name of tags) await docker.getImage(name).remove().catch(ignoreGone);
  return tags;
}
