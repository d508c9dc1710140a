/**
 * Which of the repository's Dockerfiles, and which stage, builds each image
 * repository the task definitions name (build context: the repository root).
 * ecs:local builds from here; the delivery pipeline's build job repeats it,
 * and checks/test/workflows.test.ts binds the two.
 */
export const IMAGE_BUILDS: Readonly<Record<string, { readonly dockerfile: string; readonly target: string }>> = {
  'microservice-ping-pong/node': { dockerfile: 'Dockerfile', target: 'runtime' },
  'microservice-ping-pong/client': { dockerfile: 'apps/client/Dockerfile', target: 'runtime' },
};

/** `<registry>/microservice-ping-pong/node:<tag>` → `microservice-ping-pong/node`: the path after the registry host, without the tag. */
export function imageRepository(image: string): string {
  const withoutTag = image.slice(0, image.lastIndexOf(':'));
  return withoutTag.slice(withoutTag.indexOf('/') + 1);
}
