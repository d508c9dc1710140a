import { type Deployment, DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { call } from './aws';
import { DeployStoppedError } from './errors';

/** A service the environment names but the cluster does not run (MISSING, INACTIVE or DRAINING). */
const missing = (cluster: string, service: string, reason: string) =>
  new DeployStoppedError(
    `service ${service} is not active in cluster ${cluster} (${reason}): deploy/infra creates it (npm run infra:deploy; see deploy/README.md, "From an empty AWS account")`,
  );

/** DescribeServices for these names (10 per call, the API's limit), by name; a missing one stops the deploy. */
export async function describeServices(ecs: ECSClient, cluster: string, names: readonly string[]): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  for (let start = 0; start < names.length; start += 10) {
    const batch = names.slice(start, start + 10);
    const answer = await call('ecs:DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster, services: batch })));
    const failure = answer.failures?.[0];
    if (failure) throw missing(cluster, failure.arn?.split('/').pop() ?? batch.join(', '), failure.reason ?? 'unknown');
    for (const service of answer.services ?? []) {
      if (service.status !== 'ACTIVE') throw missing(cluster, service.serviceName ?? '?', service.status ?? 'no status');
      found.set(service.serviceName!, service);
    }
  }
  for (const name of names) if (!found.has(name)) throw missing(cluster, name, 'not in the answer');
  return found;
}

/** Task definitions any deployment of these services still runs: cleanup must never deregister them. */
export function taskDefinitionsInUse(services: Iterable<Service>): Set<string> {
  const inUse = new Set<string>();
  for (const service of services) {
    if (service.taskDefinition) inUse.add(service.taskDefinition);
    for (const deployment of service.deployments ?? []) if (deployment.taskDefinition) inUse.add(deployment.taskDefinition);
  }
  return inUse;
}

/** The deployment a service is rolling towards (or runs, once alone): the one ECS marks PRIMARY. */
export function primaryDeployment(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
}
