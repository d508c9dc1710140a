import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DeployStoppedError } from './errors';

export interface AwsClients {
  ecs: ECSClient;
  scaling: ApplicationAutoScalingClient;
  /** Reads only: whether the images exist before anything is written. */
  ecr: ECRClient;
}

/**
 * Credentials and endpoints come from the SDK's standard chain (AWS_PROFILE,
 * web identity in CI, AWS_ENDPOINT_URL_ECS, ...); the region is the
 * environment file's. Throttling and transient errors are retried by the
 * SDK's standard retry mode with exponential backoff and jitter.
 */
export function createAwsClients(region: string): AwsClients {
  const config = { region, retryMode: 'standard', maxAttempts: 8 };
  return { ecs: new ECSClient(config), scaling: new ApplicationAutoScalingClient(config), ecr: new ECRClient(config) };
}

/** An AWS call that failed after the SDK's retries; the message says what to do about it. */
export class AwsCallError extends DeployStoppedError {
  constructor(
    readonly action: string,
    cause: unknown,
  ) {
    super(explain(action, cause), { cause });
    this.name = 'AwsCallError';
  }
}

function explain(action: string, cause: unknown): string {
  const { name = 'Error', message = String(cause) } = cause as { name?: string; message?: string };
  // IAM names the exact action it refused (sometimes not the one called, e.g. iam:PassRole).
  const refused = /not authorized to perform:? ([\w-]+:[\w*]+)/i.exec(message)?.[1];
  if (refused || /AccessDenied|UnauthorizedOperation/i.test(name)) {
    const permission = refused ?? action;
    return `access denied: the credentials in use lack the permission ${permission} (deploy/iam/deploy-policy.json grants what the deploy needs). AWS said: ${message}`;
  }
  return `${action} failed: ${name}: ${message}`;
}

/** Sends one request; a failure becomes an AwsCallError naming the action. */
export async function call<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new AwsCallError(action, error);
  }
}
