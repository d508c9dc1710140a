import type { Environment } from './environment';
import type { RenderedTaskDefinition } from './render';

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

/**
 * An image reference in Docker's grammar, `<name>[:<tag>][@<digest>]`, split
 * into its parts; the colon of a registry's port (before the last slash) is
 * not a tag.
 */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const reference = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) return { name: reference, digest };
  return { name: reference.slice(0, colon), tag: reference.slice(colon + 1), digest };
}

/**
 * `<registry>/microservice-ping-pong/node:<tag>` (or `@<digest>`) →
 * `microservice-ping-pong/node`: the repository of an image in `registry`;
 * undefined for an image of any other registry.
 */
export function imageRepository(image: string, registry: string): string | undefined {
  const { name } = splitImage(image);
  return name.startsWith(`${registry}/`) ? name.slice(registry.length + 1) : undefined;
}

/** Every image the task definitions name, once each, in order. */
export function imagesOf(taskDefinitions: readonly RenderedTaskDefinition[]): string[] {
  return [
    ...new Set(taskDefinitions.flatMap((definition) => (definition.input.containerDefinitions ?? []).map((container) => container.image!))),
  ];
}

/**
 * The ECR repositories (`microservice-ping-pong/node`) whose images the task
 * definitions run from this environment's registry, each once.
 */
export function imageRepositories(environment: Environment, taskDefinitions: readonly RenderedTaskDefinition[]): string[] {
  const repositories = imagesOf(taskDefinitions).map((image) => imageRepository(image, environment.registry));
  return [...new Set(repositories.filter((repository) => repository !== undefined))];
}
