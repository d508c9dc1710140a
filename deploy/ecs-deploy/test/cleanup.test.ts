import { DeregisterTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { deregisterOldRevisions } from '../src/cleanup';
import { arnOf, ecsMock, NODE_FAMILY } from './support';

const silent = { info: () => undefined, error: () => undefined };

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});
  // Two pages, newest first, with a longer family name that familyPrefix also matches.
  ecsMock
    .on(ListTaskDefinitionsCommand)
    .callsFake(({ nextToken }: { nextToken?: string }) =>
      nextToken === undefined
        ? { taskDefinitionArns: [9, 8, 7, 6, 5].map((revision) => arnOf(NODE_FAMILY, revision)), nextToken: 'page-2' }
        : { taskDefinitionArns: [...[4, 3, 2, 1].map((revision) => arnOf(NODE_FAMILY, revision)), arnOf(`${NODE_FAMILY}-canary`, 1)] },
    );
});

const deregistered = () => ecsMock.commandCalls(DeregisterTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition);

describe('cleaning up old revisions after a verified deploy', () => {
  it('keeps the newest N ACTIVE revisions and deregisters the rest, of this family only', async () => {
    await deregisterOldRevisions(new ECSClient({ region: 'eu-west-1' }), NODE_FAMILY, 5, new Set([arnOf(NODE_FAMILY, 9)]), silent);

    expect(deregistered()).toEqual([4, 3, 2, 1].map((revision) => arnOf(NODE_FAMILY, revision)));
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(2);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[0]!.args[0].input).toMatchObject({
      familyPrefix: NODE_FAMILY,
      status: 'ACTIVE',
    });
  });

  it('never deregisters a revision a service still uses, however old', async () => {
    const inUse = new Set([arnOf(NODE_FAMILY, 9), arnOf(NODE_FAMILY, 2)]);

    await deregisterOldRevisions(new ECSClient({ region: 'eu-west-1' }), NODE_FAMILY, 1, inUse, silent);

    expect(deregistered()).toEqual([8, 7, 6, 5, 4, 3, 1].map((revision) => arnOf(NODE_FAMILY, revision)));
  });
});
