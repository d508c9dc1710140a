import { DescribeImagesCommand, type ECRClient, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { type Environment, imageRepository, splitImage } from '@ping-pong/deploy-config';
import { AwsCallError } from './aws';
import type { Output } from './output';

/** `<account>.dkr.ecr.<region>.amazonaws.com` (or `.com.cn`): a private ECR registry. */
const ECR_REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

interface EcrImage {
  registryId: string;
  region: string;
  repositoryName: string;
  imageId: ImageIdentifier;
}

/** `<registry>/<repository>:<tag>` or `<registry>/<repository>@<digest>` in a private ECR registry → its parts; anything else → undefined. */
function parseEcrImage(image: string): EcrImage | undefined {
  const host = ECR_REGISTRY_HOST.exec(image.slice(0, image.indexOf('/')));
  const { tag, digest } = splitImage(image);
  const repositoryName = host && imageRepository(image, host[0]);
  if (!host || !repositoryName || (tag === undefined && digest === undefined)) return undefined;
  return {
    registryId: host[1]!,
    region: host[2]!,
    repositoryName,
    imageId: digest === undefined ? { imageTag: tag } : { imageDigest: digest },
  };
}

function whatToDo(environment: Environment): string {
  if (environment.promotedFrom) {
    return (
      `${environment.name}'s images arrive by ECR replication from ${environment.promotedFrom}'s registry: ` +
      `deploy this tag to ${environment.promotedFrom} first, or wait until replication has copied it`
    );
  }
  return 'push it first (the pipeline’s build job does), or deploy a tag that was pushed';
}

/**
 * Before anything is written: ECR DescribeImages for every image in a private
 * ECR registry of the environment's region. Returns one problem per image that
 * is not there (a typo in --tag would otherwise cost a whole circuit-breaker
 * cycle); any other refusal by AWS is an AwsCallError.
 */
export async function missingImages(
  ecr: ECRClient,
  environment: Environment,
  images: readonly string[],
  output: Output,
): Promise<string[]> {
  const problems: string[] = [];
  for (const image of images) {
    const parsed = parseEcrImage(image);
    if (!parsed || parsed.region !== environment.region) {
      output.info(`image ${image}: not in an ECR registry of ${environment.region}, so not checked before the deploy`);
      continue;
    }
    const { registryId, repositoryName, imageId } = parsed;
    try {
      await ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [imageId] }));
      output.info(`image ${image}: in the registry`);
    } catch (error) {
      const absent =
        (error as Error).name === 'ImageNotFoundException'
          ? `repository ${repositoryName} has no image ${imageId.imageTag ?? imageId.imageDigest}`
          : (error as Error).name === 'RepositoryNotFoundException'
            ? `registry ${registryId} has no repository ${repositoryName}`
            : undefined;
      if (!absent) throw new AwsCallError('ecr:DescribeImages', error);
      problems.push(`image ${image} is not in the registry (${absent}): ${whatToDo(environment)}`);
    }
  }
  return problems;
}
