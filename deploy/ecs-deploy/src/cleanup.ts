import { DeregisterTaskDefinitionCommand, type ECSClient, paginateListTaskDefinitions, type Service } from '@aws-sdk/client-ecs';
import { AwsCallError, call } from './aws';
import type { Output } from './output';
import { primaryDeployment } from './services';

/** `arn:aws:ecs:eu-west-1:123456789012:task-definition/<family>:<revision>` → its parts. */
function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const match = /:task-definition\/([^:]+):(\d+)$/.exec(arn);
  return match ? { family: match[1]!, revision: Number(match[2]) } : undefined;
}

/**
 * Deregisters the ACTIVE revisions of `family` beyond the newest `keep`,
 * never one in `inUse`. Runs only after a verified deploy, so a failed deploy
 * never loses the revision ECS rolled back to. Returns what it deregistered.
 */
export async function deregisterOldRevisions(
  ecs: ECSClient,
  family: string,
  keep: number,
  inUse: ReadonlySet<string>,
  output: Output,
): Promise<string[]> {
  const active: { arn: string; revision: number }[] = [];
  const pages = paginateListTaskDefinitions({ client: ecs }, { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' });
  await call('ecs:ListTaskDefinitions', async () => {
    for await (const page of pages) {
      for (const arn of page.taskDefinitionArns ?? []) {
        const parsed = parseTaskDefinitionArn(arn);
        // familyPrefix also matches longer family names; keep only this one.
        if (parsed?.family === family) active.push({ arn, revision: parsed.revision });
      }
    }
  });
  active.sort((a, b) => b.revision - a.revision);
  const stale = active.slice(keep).filter(({ arn }) => !inUse.has(arn));
  for (const { arn } of stale) {
    await call('ecs:DeregisterTaskDefinition', () => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
    output.info(`deregistered ${arn}`);
  }
  return stale.map(({ arn }) => arn);
}

/**
 * After a failed deploy: deregisters the revisions it registered that no
 * service runs as its PRIMARY deployment, i.e. the ones ECS rolled back from.
 * deploy/infra's services name the family, which ECS resolves to its latest
 * ACTIVE revision on any stack update, so that revision must be one that
 * runs, never one that failed. A revision still PRIMARY (a FAILED rollout
 * not yet rolled back) is kept. Returns what it deregistered.
 */
export async function retireRolledBackRevisions(
  ecs: ECSClient,
  registered: readonly string[],
  services: Iterable<Service>,
  output: Output,
): Promise<string[]> {
  const running = new Set([...services].map((service) => primaryDeployment(service)?.taskDefinition));
  const retired: string[] = [];
  for (const arn of registered.filter((candidate) => !running.has(candidate))) {
    try {
      await call('ecs:DeregisterTaskDefinition', () => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
      output.info(`deregistered ${arn}: rolled back, so it must not stay the family's latest ACTIVE revision`);
      retired.push(arn);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      output.error(`warning: ${arn} was rolled back but stays ACTIVE (${error.message}); deregister it before the next infra:deploy`);
    }
  }
  return retired;
}
