import { DeregisterTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { deregisterOldRevisions, retireRolledBackRevisions } from '../src/cleanup';
import { arnOf, CLIENT_FAMILY, deployment, ecsMock, NODE_FAMILY } from './support';

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

describe('retiring what a failed deploy registered', () => {
  const serviceRunning = (...taskDefinitions: string[]) => ({
    deployments: taskDefinitions.map((taskDefinition, index) =>
      deployment({ id: `d${index}`, status: index === 0 ? 'PRIMARY' : 'ACTIVE', taskDefinition }),
    ),
  });

  it('deregisters only the revisions no service runs as PRIMARY, and a refusal is a warning', async () => {
    ecsMock
      .on(DeregisterTaskDefinitionCommand, { taskDefinition: arnOf(CLIENT_FAMILY, 42) })
      .rejects(Object.assign(new Error('not authorized to perform: ecs:DeregisterTaskDefinition'), { name: 'AccessDeniedException' }));
    const errors: string[] = [];

    const retired = await retireRolledBackRevisions(
      new ECSClient({ region: 'eu-west-1' }),
      [arnOf(NODE_FAMILY, 42), arnOf(CLIENT_FAMILY, 42), arnOf(NODE_FAMILY, 43)],
      [serviceRunning(arnOf(NODE_FAMILY, 43), arnOf(NODE_FAMILY, 42)), serviceRunning(arnOf(CLIENT_FAMILY, 41))],
      { info: () => undefined, error: (line) => errors.push(line) },
    );

    expect(retired).toEqual([arnOf(NODE_FAMILY, 42)]);
    expect(deregistered()).toEqual([arnOf(NODE_FAMILY, 42), arnOf(CLIENT_FAMILY, 42)]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^warning: .*production-client:42 was rolled back but stays ACTIVE \(access denied: .*deregister it before the next infra:deploy$/,
      ),
    ]);
  });
});
