import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { CreateServiceLinkedRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { displayPath, type Environment } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';

/** The AWS calls infra:bootstrap and infra:deploy make themselves, around the cdk CLI. */
export interface AwsClients {
  iam: IAMClient;
  acm: ACMClient;
}

/** Credentials from the SDK's standard chain; the region is the environment file's. */
export function createAwsClients(region: string): AwsClients {
  const config = { region, retryMode: 'standard', maxAttempts: 8 };
  return { iam: new IAMClient(config), acm: new ACMClient(config) };
}

/** An AWS call that failed for a reason other than the file: the message says which check and why. */
export class PreflightError extends Error {
  override name = 'PreflightError';
}

/**
 * The service-linked roles the stack's services need before CloudFormation
 * creates them. In a new account ECS creates its role itself on the first
 * cluster or capacity provider, but not always in time, so that first create
 * fails with "Unable to assume the service linked role"
 * (aws/containers-roadmap#631, aws-cloudformation/cloudformation-coverage-roadmap#818).
 */
export const SERVICE_LINKED_ROLES = [
  { service: 'ecs.amazonaws.com', role: 'AWSServiceRoleForECS', for: 'ECS: the cluster, its capacity provider and the services' },
  {
    service: 'ecs.application-autoscaling.amazonaws.com',
    role: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
    for: "the services' auto scaling (the stack's scalable targets name it)",
  },
] as const;

const errorName = (error: unknown) => (error as { name?: string }).name ?? 'Error';
const errorMessage = (error: unknown) => (error as { message?: string }).message ?? String(error);

/** What IAM answers when a service-linked role exists already: success for an idempotent ensure. */
const alreadyExists = (error: unknown) => errorName(error) === 'InvalidInputException' && /has been taken/.test(errorMessage(error));

/** Creates each service-linked role the account lacks; one that exists is left as it is. */
export async function ensureServiceLinkedRoles(iam: IAMClient, info: (line: string) => void): Promise<void> {
  for (const { service, role, for: purpose } of SERVICE_LINKED_ROLES) {
    try {
      await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: service }));
      info(`service-linked role ${role} (${purpose}): created`);
    } catch (error) {
      if (!alreadyExists(error)) {
        throw new PreflightError(
          `service-linked role ${role}: iam:CreateServiceLinkedRole for ${service} failed: ${errorName(error)}: ${errorMessage(error)}`,
        );
      }
      info(`service-linked role ${role} (${purpose}): already exists`);
    }
  }
}

/** Before a deploy: each service-linked role exists, or the deploy stops pointing at infra:bootstrap. */
export async function checkServiceLinkedRoles(iam: IAMClient, environment: Pick<Environment, 'name'>): Promise<void> {
  const missing: string[] = [];
  for (const { role } of SERVICE_LINKED_ROLES) {
    try {
      await iam.send(new GetRoleCommand({ RoleName: role }));
    } catch (error) {
      if (errorName(error) !== 'NoSuchEntityException') {
        throw new PreflightError(`service-linked role ${role}: iam:GetRole failed: ${errorName(error)}: ${errorMessage(error)}`);
      }
      missing.push(
        `service-linked role ${role} does not exist yet: run npm run infra:bootstrap -- --env ${environment.name} first (it creates it)`,
      );
    }
  }
  if (missing.length > 0) throw new ConfigError(missing);
}

/** What to do about a certificate ACM has but cannot serve. */
const STATUS_HINTS: Record<string, string> = {
  PENDING_VALIDATION: 'finish its validation (the DNS record ACM asks for), then run this again',
  VALIDATION_TIMED_OUT: 'request a new one and validate it within 72 hours',
};

/**
 * An HTTPS listener's certificate must exist in the stack's account and
 * region and be ISSUED, or CloudFormation fails the listener halfway through
 * the create. Checked with ACM (in the environment's region) before the cdk
 * CLI runs; a problem is one ConfigError line naming the field. Returns what
 * it found, for the log.
 */
export async function checkCertificate(acm: ACMClient, environment: Environment): Promise<string | undefined> {
  const { listener } = environment.loadBalancer;
  if (listener.protocol !== 'HTTPS') return undefined;
  const field = `${displayPath(environment.file)}: loadBalancer.listener.certificateArn`;
  // Its account and region are the stack's: the environment file's schema refuses any other.
  const arn = listener.certificateArn;
  let certificate;
  try {
    ({ Certificate: certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      throw new ConfigError([
        `${field}: ACM has no certificate ${arn} (are the credentials in use for account ${environment.account}?): request one for your domain in ${environment.region} and put its ARN here`,
      ]);
    }
    throw new PreflightError(`${field}: acm:DescribeCertificate failed: ${errorName(error)}: ${errorMessage(error)}`);
  }
  const status = certificate?.Status ?? 'UNKNOWN';
  if (status !== 'ISSUED') {
    throw new ConfigError([`${field}: certificate ${arn} is ${status}, not ISSUED: ${STATUS_HINTS[status] ?? 'request a new one'}`]);
  }
  return `certificate ${arn}: ISSUED for ${certificate?.DomainName ?? 'its domain'}`;
}
