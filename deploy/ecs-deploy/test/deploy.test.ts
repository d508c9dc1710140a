import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeImagesCommand, ImageNotFoundException, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import {
  AccessDeniedException,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import path from 'node:path';
import { ENVIRONMENTS_DIR, loadEnvironment, renderPolicy, renderTaskDefinitions } from '@ping-pong/deploy-config';
import {
  arnOf,
  CLIENT,
  CLIENT_FAMILY,
  CLUSTER,
  deployment,
  describedByEcs,
  ecrMock,
  ecsCommandsSent,
  ecsMock,
  event,
  imagesExist,
  newDeployment,
  NODE,
  NODE_FAMILY,
  runCli,
  scalingCommandsSent,
  scalingMock,
  scriptEcs,
  scriptScaling,
  scriptServices,
  service,
  steady,
} from './support';

const TAG = 'git-0123456789ab';
const deployArgs = (...extra: string[]) => ['--env', 'production', '--tag', TAG, ...extra];
/** The diff's `  ~ key: old → new`, `  + key`, `  - key` lines. */
const changeLines = (info: string[]) => info.filter((line) => /^ {2}[~+-] /.test(line));

beforeEach(() => {
  ecsMock.reset();
  scalingMock.reset();
  ecrMock.reset();
  imagesExist();
  ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
  scriptScaling();
});

/** A rollout that goes well: starting, old tasks draining after COMPLETED, then alone. */
const goesWell = (name: string) => [
  steady(name),
  service(
    name,
    [
      newDeployment(name, { rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }),
      deployment({ id: `ecs-svc/old-${name}`, status: 'ACTIVE', taskDefinition: arnOf(NODE_FAMILY, 41) }),
    ],
    [event(`(service ${name}) has started 1 tasks.`)],
  ),
  service(name, [newDeployment(name), deployment({ id: `ecs-svc/old-${name}`, status: 'ACTIVE', runningCount: 1 })]),
  service(name, [newDeployment(name)], [event(`(service ${name}) has reached a steady state.`)]),
];

describe('npm run deploy:ecs', () => {
  it('registers, updates the revision only, and waits until each deployment is PRIMARY, COMPLETED and alone: exit 0', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });

    const run = await runCli(deployArgs());

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const registered = ecsMock.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input.family);
    expect(registered).toEqual([CLIENT_FAMILY, NODE_FAMILY]);
    // The count, deployment configuration and grace period are the stack's: an update sends none of them.
    expect(ecsMock.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: CLUSTER, service: CLIENT, taskDefinition: arnOf(CLIENT_FAMILY, 42) },
      { cluster: CLUSTER, service: NODE, taskDefinition: arnOf(NODE_FAMILY, 42) },
    ]);
    // One progress line per change, and the new events only.
    expect(run.info.filter((line) => line.startsWith(`${NODE}: `) && !line.includes('→'))).toEqual([
      `${NODE}: now deploying ${arnOf(NODE_FAMILY, 42)} (deployment ecs-svc/new-${NODE})`,
      `${NODE}: IN_PROGRESS: desired 2, running 1, pending 1, failed 0 (1 older deployment still draining)`,
      `${NODE}: COMPLETED: desired 2, running 2, pending 0, failed 0 (1 older deployment still draining)`,
      `${NODE}: deployment ecs-svc/new-${NODE} completed`,
    ]);
    expect(run.info.filter((line) => line.includes(`${NODE} |`)).map((line) => line.replace(/^.*Z /, ''))).toEqual([
      `(service ${NODE}) has started 1 tasks.`,
      `(service ${NODE}) has reached a steady state.`,
    ]);
    expect(new Set(scalingCommandsSent())).toEqual(new Set(['DescribeScalableTargets', 'DescribeScalingPolicies']));
    expect(run.info.at(-1)).toBe(`deployed production: ${arnOf(CLIENT_FAMILY, 42)}, ${arnOf(NODE_FAMILY, 42)}`);
  });

  it('when the circuit breaker rolls back (our deployment vanishes), exits 1 with the events, and retires only the revision that was rolled back', async () => {
    scriptEcs();
    const rolledBack = [
      steady(NODE),
      service(
        NODE,
        [newDeployment(NODE, { rolloutState: 'IN_PROGRESS', runningCount: 0, failedTasks: 2 })],
        [event(`(service ${NODE}) has started 2 tasks.`)],
      ),
      service(
        NODE,
        [deployment({ id: 'ecs-svc/rollback', taskDefinition: arnOf(NODE_FAMILY, 41) })],
        [
          event(`(service ${NODE}) deployment ecs-svc/new-${NODE} deployment failed: tasks failed to start.`),
          event(`(service ${NODE}) rolling back to deployment ecs-svc/old-${NODE}.`),
        ],
      ),
    ];
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: rolledBack });

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      `${NODE}: deployment FAILED: deployment ecs-svc/new-${NODE} is gone: ECS rolled the service back to ${arnOf(NODE_FAMILY, 41)} (deployment circuit breaker)`,
      `${NODE}: events since the deploy began (oldest first):`,
      expect.stringMatching(/has started 2 tasks\.$/),
      expect.stringMatching(/tasks failed to start\.$/),
      expect.stringMatching(/rolling back to deployment/),
      `deploy of production FAILED: ${NODE} did not take ${TAG} (see above); deregistered only what was rolled back: ${arnOf(NODE_FAMILY, 42)}`,
    ]);
    // The stack's services name the family: its latest ACTIVE revision must be 41, which runs, not 42, which failed.
    // The client's 42 runs, and nothing older is cleaned up after a failure.
    expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition)).toEqual([
      arnOf(NODE_FAMILY, 42),
    ]);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0);
  });

  it('when the rollout state turns FAILED, exits 1 with the reason ECS gives', async () => {
    scriptEcs();
    const reason = 'ECS deployment circuit breaker: tasks failed to start.';
    scriptServices({
      [CLIENT]: [
        steady(CLIENT),
        service(CLIENT, [newDeployment(CLIENT, { rolloutState: 'FAILED', rolloutStateReason: reason, runningCount: 0, failedTasks: 3 })]),
      ],
      [NODE]: goesWell(NODE),
    });

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors[0]).toBe(`${CLIENT}: deployment FAILED: ${reason}`);
    // Still PRIMARY, not yet rolled back: kept.
    expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(0);
    expect(run.errors.at(-1)).toMatch(/nothing was deregistered$/);
  });

  it('when the rollout never finishes, gives up at --timeout with exit 3, leaves the service alone, and sleeps no real time', async () => {
    scriptEcs();
    const stuck = service(NODE, [
      newDeployment(NODE, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
      deployment({ id: `ecs-svc/old-${NODE}`, status: 'ACTIVE' }),
    ]);
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: [steady(NODE), stuck] });
    const startedAt = Date.now();

    const run = await runCli(deployArgs('--timeout', '900'));

    expect(run.code).toBe(3);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^timed out after 900s waiting for microservice-ping-pong-node-service \(IN_PROGRESS: desired 2, running 1.*\)\. The service is left as ECS has it/,
      ),
    ]);
    expect(run.clock.slept.reduce((total, ms) => total + ms, 0)).toBe(900_000);
    // Backoff: the pauses grow, up to a ceiling.
    expect(run.clock.slept.slice(0, 3)).toEqual([3000, 4500, 6750]);
    expect(Math.max(...run.clock.slept)).toBeLessThanOrEqual(20_000);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(
      ecsCommandsSent().filter(
        (name) => !['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'UpdateService'].includes(name),
      ),
    ).toEqual([]);
  });

  it('--dry-run prints what would change and makes no write call; what ECS fills in on describe is no change', async () => {
    const environment = loadEnvironment('production');
    const [client, node] = renderTaskDefinitions(environment, { tag: 'git-aaaaaaaaaaaa', registry: environment.registry });
    scriptEcs({ [arnOf(CLIENT_FAMILY, 41)]: describedByEcs(client!.input, 41), [arnOf(NODE_FAMILY, 41)]: describedByEcs(node!.input, 41) });
    scriptServices({ [CLIENT]: [steady(CLIENT)], [NODE]: [steady(NODE)] });

    const run = await runCli(deployArgs('--dry-run'));

    expect(run.code).toBe(0);
    expect(new Set(ecsCommandsSent())).toEqual(new Set(['DescribeServices', 'DescribeTaskDefinition']));
    expect(new Set(scalingCommandsSent())).toEqual(new Set(['DescribeScalableTargets', 'DescribeScalingPolicies']));
    expect(run.info).toContain(
      `  ~ node-ringo.image: "${environment.registry}/microservice-ping-pong/node:git-aaaaaaaaaaaa" → "${environment.registry}/microservice-ping-pong/node:${TAG}"`,
    );
    // Only the images changed: cpu 0, essential, port protocol, empty lists and the like are not shown.
    expect(changeLines(run.info)).toEqual(
      ['client', 'node-george', 'node-john', 'node-paul', 'node-ringo'].map((container) =>
        expect.stringMatching(new RegExp(`^  ~ ${container}\\.image: `)),
      ),
    );
    expect(run.info.at(-1)).toBe('dry run: nothing registered, updated or deregistered');
  });

  it('--dry-run of what already runs, as ECS describes it, prints "(no changes)" for every service', async () => {
    const environment = loadEnvironment('production');
    const [client, node] = renderTaskDefinitions(environment, { tag: TAG, registry: environment.registry });
    scriptEcs({ [arnOf(CLIENT_FAMILY, 41)]: describedByEcs(client!.input, 41), [arnOf(NODE_FAMILY, 41)]: describedByEcs(node!.input, 41) });
    scriptServices({ [CLIENT]: [steady(CLIENT)], [NODE]: [steady(NODE)] });

    const run = await runCli(deployArgs('--dry-run'));

    expect(run.code).toBe(0);
    expect(run.info.filter((line) => line.includes('→ new revision of'))).toEqual([
      `${CLIENT}: ${arnOf(CLIENT_FAMILY, 41)} → new revision of ${CLIENT_FAMILY} (no changes)`,
      `${NODE}: ${arnOf(NODE_FAMILY, 41)} → new revision of ${NODE_FAMILY} (no changes)`,
    ]);
    expect(changeLines(run.info)).toEqual([]);
  });

  it('refuses the tag latest before any AWS call: exit 2', async () => {
    const run = await runCli(['--env', 'production', '--tag', 'latest']);

    expect(run.code).toBe(2);
    expect(run.errors[0]).toMatch(/"latest" is refused/);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it.each([
    [['--env', 'production', '--keep', '0'], '--keep "0": must be a whole number of at least 1'],
    [['--env', 'production', '--timeout', 'soon'], '--timeout "soon": must be a whole number of at least 1'],
    [['--env', 'production', '--placement-timeout', '0'], '--placement-timeout "0": must be a whole number of at least 1'],
    [['--tag', TAG], '--env <name> is required'],
  ])('bad usage %j exits 2 with %s and no AWS call', async (argv, problem) => {
    const run = await runCli(argv);

    expect(run.code).toBe(2);
    expect(run.errors[0]).toContain(problem);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('refuses AWS_REGION pointing elsewhere than the environment, before any AWS call', async () => {
    const run = await runCli(deployArgs(), { AWS_REGION: 'us-east-1' });

    expect(run.code).toBe(2);
    expect(run.errors[0]).toBe(
      'AWS_REGION is us-east-1 but environment production is in eu-west-1 (' +
        path.join(ENVIRONMENTS_DIR, 'production.json') +
        '); unset AWS_REGION or fix the file',
    );
  });

  it('without --tag deploys git-<12 hex digits of the commit>, from ECR_REGISTRY when set, whose images it cannot check', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });

    const run = await runCli(['--env', 'production', '--no-wait'], { ECR_REGISTRY: 'registry.example.com:5000' });

    expect(run.code).toBe(0);
    const images = ecsMock
      .commandCalls(RegisterTaskDefinitionCommand)
      .flatMap((call) => call.args[0].input.containerDefinitions!.map((container) => container.image));
    expect(new Set(images)).toEqual(
      new Set([
        'registry.example.com:5000/microservice-ping-pong/client:git-0123456789ab',
        'registry.example.com:5000/microservice-ping-pong/node:git-0123456789ab',
      ]),
    );
    expect(ecrMock.calls()).toHaveLength(0);
    expect(run.info).toContain(
      'image registry.example.com:5000/microservice-ping-pong/node:git-0123456789ab: not in an ECR registry of eu-west-1, so not checked before the deploy',
    );
    expect(run.info.at(-1)).toMatch(/^not waiting \(--no-wait\)/);
  });

  it('an access-denied error names the missing permission: exit 1', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    ecsMock.on(UpdateServiceCommand).rejects(
      new AccessDeniedException({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:eu-west-1:123456789012:service/ping-pong-production/microservice-ping-pong-client-service because no identity-based policy allows the ecs:UpdateService action',
        $metadata: {},
      }),
    );

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^deploy of production stopped: access denied: the credentials in use lack the permission ecs:UpdateService \(deploy\/iam\/deploy-policy\.json/,
      ),
    ]);
  });

  it('when a later service cannot be updated, the message says which ones are already deploying', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    ecsMock
      .on(UpdateServiceCommand, { service: NODE })
      .rejects(Object.assign(new Error('Service was not ACTIVE.'), { name: 'ServiceNotActiveException' }));

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      `deploy of production stopped: ecs:UpdateService failed: ServiceNotActiveException: Service was not ACTIVE.\nalready updated, and deploying in ECS regardless: ${CLIENT}`,
    ]);
  });

  it('a role that cannot be passed is reported as the missing iam:PassRole', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .rejects(
        Object.assign(
          new Error(
            'User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ping-pong-production-task',
          ),
          { name: 'ClientException' },
        ),
      );

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('lack the permission iam:PassRole');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a service missing from the cluster stops the deploy before anything is registered: exit 1', async () => {
    scriptEcs();
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [steady(CLIENT)],
      failures: [{ arn: `arn:aws:ecs:eu-west-1:123456789012:service/${NODE}`, reason: 'MISSING' }],
    });

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain(
      `service ${NODE} is not active in cluster ping-pong-production (MISSING): deploy/infra creates it (npm run infra:deploy`,
    );
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('warns, and deploys anyway, when the live auto scaling differs from the file or is missing: the stack owns it', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    scriptScaling({ [NODE]: { max: 4, cpu: 75 }, [CLIENT]: 'none' });

    const run = await runCli(deployArgs());

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([
      `warning: ${CLIENT}: AWS has no auto scaling for it, 2-4 tasks at 60% CPU in deploy/environments/production.json; deploy/infra owns it: npm run infra:deploy -- --env production`,
      `warning: ${NODE}: auto scaling in AWS is 2-4 tasks at 75% CPU, 2-6 tasks at 60% CPU in deploy/environments/production.json; deploy/infra owns it: npm run infra:deploy -- --env production`,
    ]);
    expect(scalingCommandsSent()).toEqual(['DescribeScalableTargets', 'DescribeScalingPolicies']);
  });

  it('a scaling read that AWS refuses is a warning naming the permission, and the deploy goes on', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    scalingMock.on(DescribeScalableTargetsCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: application-autoscaling:DescribeScalableTargets',
        ),
        {
          name: 'AccessDeniedException',
        },
      ),
    );

    const run = await runCli(deployArgs());

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^warning: the services' auto scaling could not be compared with deploy\/environments\/production\.json: access denied: the credentials in use lack the permission application-autoscaling:DescribeScalableTargets/,
      ),
    ]);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(2);
  });

  it("a tag missing from production's registry exits 2 naming the image, before any ECS call: replication has not brought it yet", async () => {
    const environment = loadEnvironment('production');
    ecrMock
      .on(DescribeImagesCommand, { repositoryName: 'microservice-ping-pong/node' })
      .rejects(new ImageNotFoundException({ message: `The image with imageId {imageTag:'${TAG}'} does not exist`, $metadata: {} }));

    const run = await runCli(deployArgs());

    expect(run.code).toBe(2);
    expect(run.errors).toEqual([
      `image ${environment.registry}/microservice-ping-pong/node:${TAG} is not in the registry (repository microservice-ping-pong/node has no image ${TAG}): ` +
        "production's images arrive by ECR replication from staging's registry: deploy this tag to staging first, or wait until replication has copied it",
      'deploy of production stopped before any write: 1 image(s) missing',
    ]);
    expect(ecrMock.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input)).toEqual([
      { registryId: environment.account, repositoryName: 'microservice-ping-pong/client', imageIds: [{ imageTag: TAG }] },
      { registryId: environment.account, repositoryName: 'microservice-ping-pong/node', imageIds: [{ imageTag: TAG }] },
    ]);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(scalingMock.calls()).toHaveLength(0);
  });

  it("a repository missing from staging's registry exits 2 too, also in a dry run, saying to push first", async () => {
    ecrMock.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: 'no such repository', $metadata: {} }));

    const run = await runCli(['--env', 'staging', '--tag', TAG, '--dry-run']);

    expect(run.code).toBe(2);
    expect(run.errors[0]).toBe(
      `image 210987654321.dkr.ecr.eu-west-1.amazonaws.com/microservice-ping-pong/client:${TAG} is not in the registry ` +
        '(registry 210987654321 has no repository microservice-ping-pong/client): push it first (the pipeline’s build job does), or deploy a tag that was pushed',
    );
    expect(run.errors).toHaveLength(3);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('a registry that refuses DescribeImages is an AWS failure naming the permission: exit 1', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(
      Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: ecr:DescribeImages'), {
        name: 'AccessDeniedException',
      }),
    );

    const run = await runCli(deployArgs());

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(
      /^deploy of production stopped: access denied: the credentials in use lack the permission ecr:DescribeImages /,
    );
    expect(ecsMock.calls()).toHaveLength(0);
  });

  describe('when ECS cannot place the new tasks', () => {
    const unableToPlace = event(
      `(service ${NODE}) was unable to place a task because no container instance met all of its requirements. ` +
        'The closest matching (container-instance 0123abcd) has insufficient memory available.',
    );
    const waiting = (events: ReturnType<typeof event>[] = []) =>
      service(
        NODE,
        [
          newDeployment(NODE, { rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 0 }),
          deployment({ id: `ecs-svc/old-${NODE}`, status: 'ACTIVE', taskDefinition: arnOf(NODE_FAMILY, 41) }),
        ],
        events,
      );

    it('stops waiting once the rollout has not progressed for --placement-timeout: exit 1 with the event and a capacity hint, long before --timeout', async () => {
      scriptEcs();
      scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: [steady(NODE), waiting(), waiting([unableToPlace])] });

      const run = await runCli(deployArgs('--timeout', '900', '--placement-timeout', '120'));

      expect(run.code).toBe(1);
      expect(run.errors[0]).toBe(
        `${NODE}: deployment FAILED: ECS cannot place its tasks, and the rollout has not progressed for 120s since it said: ${unableToPlace.message}\n` +
          'hint: the cluster lacks room for the new tasks (CPU, memory or host ports on its container instances). ' +
          'Add capacity (more instances, or a capacity provider with managed scaling), or lower the tasks’ reservations or the service’s maximumPercent. ' +
          'The deployment is left in ECS and keeps trying to place the tasks; to go back: ' +
          `aws ecs update-service --cluster ping-pong-production --service ${NODE} --task-definition ${arnOf(NODE_FAMILY, 41)}`,
      );
      expect(run.errors).toContainEqual(expect.stringContaining(`${NODE} | 2026-`));
      expect(run.errors.at(-1)).toBe(`deploy of production FAILED: ${NODE} did not take ${TAG} (see above); nothing was deregistered`);
      // The event came on the second poll (after 3 s); the verdict exactly 120 s later, nowhere near the 900 s timeout.
      expect(run.clock.slept.reduce((total, ms) => total + ms, 0)).toBe(123_000);
      expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(0);
    });

    it('keeps waiting when tasks get placed after the event: progress resets the clock, and the deploy completes', async () => {
      scriptEcs();
      const placedLater = [
        steady(NODE),
        waiting([unableToPlace]),
        ...Array.from({ length: 8 }, () => waiting()),
        service(NODE, [newDeployment(NODE, { rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 })]),
        ...Array.from({ length: 8 }, () =>
          service(NODE, [newDeployment(NODE, { rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 })]),
        ),
        service(NODE, [newDeployment(NODE)]),
      ];
      scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: placedLater });

      const run = await runCli(deployArgs('--placement-timeout', '200'));

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      // Longer than the placement timeout in all, but never that long without progress after the event.
      expect(run.clock.slept.reduce((total, ms) => total + ms, 0)).toBeGreaterThan(200_000);
    });
  });

  it('every AWS call of a deploy, on the resource it names, is allowed by the deploy role policy (deploy/iam/deploy-policy.json)', async () => {
    scriptEcs();
    scriptServices({ [CLIENT]: goesWell(CLIENT), [NODE]: goesWell(NODE) });
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [1, 2, 3, 4, 5, 6, 7].map((revision) => arnOf(NODE_FAMILY, revision)) });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});

    expect((await runCli(deployArgs())).code).toBe(0);

    const environment = loadEnvironment('production');
    const taskDefinitions = renderTaskDefinitions(environment, { tag: TAG, registry: environment.registry });
    const policy = renderPolicy('deploy-policy.json', environment, taskDefinitions);
    const requests = [
      ...ecsMock.calls().flatMap((call) => requestsOf('ecs', call.args[0].constructor.name, call.args[0].input as EcsInput)),
      ...scalingMock.calls().flatMap((call) => requestsOf('application-autoscaling', call.args[0].constructor.name, {})),
      ...ecrMock.calls().flatMap((call) => requestsOf('ecr', call.args[0].constructor.name, call.args[0].input as EcsInput)),
    ];
    expect(new Set(requests.map(({ action }) => action))).toEqual(
      new Set([
        'ecr:DescribeImages',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:RegisterTaskDefinition',
        'iam:PassRole',
        'ecs:UpdateService',
        'ecs:ListTaskDefinitions',
        'ecs:DeregisterTaskDefinition',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScalingPolicies',
      ]),
    );
    expect(requests.filter((request) => !allows(policy, request))).toEqual([]);
  });
});

type EcsInput = {
  cluster?: string;
  service?: string;
  services?: string[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  registryId?: string;
  repositoryName?: string;
};

/**
 * What IAM authorizes for one call: the action on the resource it names, or
 * on `*` where the Service Authorization Reference gives the action no
 * resource type; RegisterTaskDefinition also passes the task's two roles.
 */
function requestsOf(service: string, commandName: string, input: EcsInput): { action: string; resource: string }[] {
  const action = `${service}:${commandName.replace(/Command$/, '')}`;
  const serviceArn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:service/${input.cluster}/${name}`;
  if (action === 'ecs:DescribeServices') return input.services!.map((name) => ({ action, resource: serviceArn(name) }));
  if (action === 'ecs:UpdateService') return [{ action, resource: serviceArn(input.service!) }];
  if (action === 'ecr:DescribeImages') {
    return [{ action, resource: `arn:aws:ecr:eu-west-1:${input.registryId}:repository/${input.repositoryName}` }];
  }
  if (action === 'ecs:RegisterTaskDefinition') {
    return [
      { action, resource: '*' },
      ...[input.taskRoleArn!, input.executionRoleArn!].map((role) => ({ action: 'iam:PassRole', resource: role })),
    ];
  }
  return [{ action, resource: '*' }];
}

/** IAM's wildcard match: `*` any run of characters, `?` one. */
const matches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function allows(policy: ReturnType<typeof renderPolicy>, request: { action: string; resource: string }): boolean {
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  return policy.Statement.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((action) => matches(action, request.action)) &&
      list(statement.Resource).some((resource) => matches(resource, request.resource)),
  );
}
