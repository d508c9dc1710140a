import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Environment, loadEnvironment } from '../src/environment';
import { ConfigError, REPO_ROOT } from '@ping-pong/tooling';
import { ENVIRONMENTS_DIR, TASK_DEFINITIONS_DIR } from '../src/paths';
import { renderTaskDefinitions } from '../src/render';

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

// The edits deliberately break the file's shape, so no type can describe it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = Record<string, any>;

/** A copy of deploy/task-definitions/ with one file changed by `edit`. */
function withEditedDefinition(file: string, edit: (json: AnyJson) => void): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'task-definitions-'));
  for (const name of ['client.json', 'node.json']) {
    const json = JSON.parse(readFileSync(path.join(TASK_DEFINITIONS_DIR, name), 'utf8'));
    if (name === file) edit(json);
    writeFileSync(path.join(directory, name), JSON.stringify(json));
  }
  return directory;
}

describe('the committed task definitions and environments', () => {
  it.each(['staging', 'production'])('%s renders both task definitions with valid input for RegisterTaskDefinition', (name) => {
    const environment = loadEnvironment(name);
    const rendered = renderTaskDefinitions(environment, { tag: 'git-0123456789ab', registry: environment.registry });

    // Named for the environment: families are unique per account and region, which two environments may share.
    expect(rendered.map((definition) => definition.family).sort()).toEqual([`ping-pong-${name}-client`, `ping-pong-${name}-node`]);
    const node = rendered.find((definition) => definition.family === `ping-pong-${name}-node`)!.input;
    expect(node.containerDefinitions!.map((container) => container.name)).toEqual(['node-john', 'node-paul', 'node-george', 'node-ringo']);
    expect(new Set(node.containerDefinitions!.map((container) => container.image))).toEqual(
      new Set([`${environment.registry}/microservice-ping-pong/node:git-0123456789ab`]),
    );
    expect(node.executionRoleArn).toBe(`arn:aws:iam::${environment.account}:role/ping-pong-${name}-execution`);
    expect(node.containerDefinitions![0]!.logConfiguration!.options!['awslogs-group']).toBe(`/ecs/ping-pong-${name}/node`);
    expect(environment.registry).toBe(`${environment.account}.dkr.ecr.eu-west-1.amazonaws.com`);
    expect(node.containerDefinitions![0]!.logConfiguration!.options!['awslogs-region']).toBe(environment.region);
    expect(node.containerDefinitions![0]!.secrets).toEqual([
      { name: 'CORS_ORIGINS', valueFrom: `/microservice-ping-pong/${name}/CORS_ORIGINS` },
    ]);
  });

  it('the node task relays john → paul → george → ringo through links, NEXT_HOP and HEALTHY dependencies', () => {
    const environment = loadEnvironment('production');
    const node = renderTaskDefinitions(environment, { tag: 'git-0123456789ab', registry: environment.registry }).find(
      (definition) => definition.family === 'ping-pong-production-node',
    )!.input;
    const chain = node.containerDefinitions!.map((container) => ({
      name: container.name,
      links: container.links ?? [],
      dependsOn: (container.dependsOn ?? []).map((dependency) => `${dependency.containerName}:${dependency.condition}`),
      nextHop: container.environment!.find((variable) => variable.name === 'NEXT_HOP')!.value,
    }));
    expect(chain).toEqual([
      { name: 'node-john', links: ['node-paul'], dependsOn: ['node-paul:HEALTHY'], nextHop: 'http://node-paul:3000' },
      { name: 'node-paul', links: ['node-george'], dependsOn: ['node-george:HEALTHY'], nextHop: 'http://node-george:3000' },
      { name: 'node-george', links: ['node-ringo'], dependsOn: ['node-ringo:HEALTHY'], nextHop: 'http://node-ringo:3000' },
      { name: 'node-ringo', links: [], dependsOn: [], nextHop: '' },
    ]);
  });

  it('the load balancer sends /start and /ping to node-john and everything else to the client', () => {
    const { loadBalancer } = loadEnvironment('production');
    const groupOf = (name: string) => loadBalancer.targetGroups.find((group) => group.name === name)!;
    expect(loadBalancer.rules.map((rule) => [rule.pathPatterns, groupOf(rule.targetGroup).containerName])).toEqual([
      [['/start'], 'node-john'],
      [['/ping'], 'node-john'],
    ]);
    expect(groupOf(loadBalancer.defaultTargetGroup).containerName).toBe('client');
    expect(loadBalancer.targetGroups.map((group) => [group.containerName, group.healthCheck.path])).toEqual([
      ['client', '/'],
      ['node-john', '/ping'],
    ]);
  });
});

describe('rendering refuses what ECS would reject or run wrongly', () => {
  const environment = loadEnvironment('production');
  const render = (tag: string, directory?: string) =>
    renderTaskDefinitions(environment, { tag, registry: environment.registry, directory });
  let directory: string | undefined;
  afterEach(() => directory && rmSync(directory, { recursive: true, force: true }));

  it.each([
    ['latest', 'the image tag "latest" is refused'],
    ['', 'the image tag is empty'],
    ['has space', 'is not a valid tag'],
  ])('the tag %j is refused', (tag, problem) => {
    expect(problemsOf(() => render(tag))).toEqual([expect.stringContaining(problem)]);
  });

  it('an unknown key is an error naming the file and its JSON path', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[1].portMapings = [];
    });
    expect(problemsOf(() => render('git-0123456789ab', directory))).toEqual([
      `${path.relative(REPO_ROOT, directory)}/node.json: containerDefinitions[1].portMapings: unknown key`,
    ]);
  });

  it('a wrong type, a missing required field and an unknown placeholder are all reported at once', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[2].memoryReservation = '300';
      delete json.containerDefinitions[3].image;
      json.containerDefinitions[0].environment[0].value = '${SERVICE}';
    });
    const problems = problemsOf(() => render('git-0123456789ab', directory)).map((problem) => problem.replace(/^.*node\.json: /, ''));
    expect(problems).toEqual([
      expect.stringMatching(/^containerDefinitions\[0\]\.environment\[0\]\.value: unknown placeholder \$\{SERVICE\}/),
      'containerDefinitions[2].memoryReservation: expected number, got string "300"',
      'containerDefinitions[3].image: required',
    ]);
  });

  it.each([
    [1, 'Too small: expected number to be >=2'],
    [61, 'Too big: expected number to be <=60'],
  ])('a health check timeout of %i s is refused, as the API refuses it (2-60)', (timeout, problem) => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[3].healthCheck.timeout = timeout;
    });
    expect(problemsOf(() => render('git-0123456789ab', directory))).toEqual([
      `${path.relative(REPO_ROOT, directory)}/node.json: containerDefinitions[3].healthCheck.timeout: ${problem}`,
    ]);
  });

  it('a health check timeout of 60 s, the API maximum, renders', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[3].healthCheck.timeout = 60;
    });
    expect(render('git-0123456789ab', directory)).toHaveLength(2);
  });

  it('an image pinned to latest in a file is refused', () => {
    directory = withEditedDefinition('client.json', (json) => {
      json.containerDefinitions[0].image = 'public.ecr.aws/nginx/nginx:latest';
    });
    expect(problemsOf(() => render('git-0123456789ab', directory))).toEqual([
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.image: the image tag "latest" is refused/),
    ]);
  });

  it('a dependency on a container without a health check, and a link to a missing container, are refused', () => {
    directory = withEditedDefinition('node.json', (json) => {
      delete json.containerDefinitions[1].healthCheck;
      json.containerDefinitions[1].links = ['node-georgе'];
    });
    const problems = problemsOf(() => render('git-0123456789ab', directory)).map((problem) => problem.replace(/^.*node\.json: /, ''));
    expect(problems).toEqual([
      'containerDefinitions[0].dependsOn[0].condition: HEALTHY needs a healthCheck on node-paul',
      'containerDefinitions[1].links[0]: names no other container of this task',
    ]);
  });

  it('a container missing any of the five defences is refused, each named with its JSON path', () => {
    directory = withEditedDefinition('client.json', (json) => {
      const client = json.containerDefinitions[0];
      delete client.memory;
      delete client.readonlyRootFilesystem;
      client.linuxParameters.capabilities.drop = ['NET_RAW'];
      delete client.dockerSecurityOptions;
      delete client.user;
    });
    expect(problemsOf(() => render('production-abc', directory))).toEqual([
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.memory: required: a hard limit in MiB/),
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.readonlyRootFilesystem: must be true/),
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.linuxParameters\.capabilities\.drop: must include "ALL"/),
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.dockerSecurityOptions: must include "no-new-privileges"/),
      expect.stringMatching(/client\.json: containerDefinitions\[0\]\.user: required: a user other than root/),
    ]);
  });

  it('a memory limit below the reservation, and root by name or by id, are refused', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[1].memory = 64;
      json.containerDefinitions[2].user = '0:1000';
      json.containerDefinitions[3].user = 'root';
    });
    const problems = problemsOf(() => render('production-abc', directory)).map((problem) => problem.replace(/^.*node\.json: /, ''));
    expect(problems).toEqual([
      'containerDefinitions[1].memory: 64 is below memoryReservation 128',
      'containerDefinitions[2].user: "0:1000" is root',
      'containerDefinitions[3].user: "root" is root',
    ]);
  });

  it('a REQUEST_DEADLINE_MS the load balancer would cut off first is refused', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[0].environment.find((variable: AnyJson) => variable.name === 'REQUEST_DEADLINE_MS').value = '60000';
    });
    const problems = problemsOf(() => render('production-abc', directory)).map((problem) => problem.replace(/^.*node\.json: /, ''));
    expect(problems).toEqual([
      "containerDefinitions[0].environment[3].value: REQUEST_DEADLINE_MS 60000 is not below the load balancer's idle timeout (60 s)",
    ]);
  });

  it('a target group pointing at a container port the task does not map is refused', () => {
    directory = withEditedDefinition('node.json', (json) => {
      json.containerDefinitions[0].portMappings[0].containerPort = 8080;
    });
    expect(problemsOf(() => render('git-0123456789ab', directory))).toEqual([
      'deploy/environments/production.json: loadBalancer.targetGroups[1].containerPort: node-john maps no containerPort 3000',
    ]);
  });
});

describe('loading an environment', () => {
  it('an unknown environment names the known ones', () => {
    expect(problemsOf(() => loadEnvironment('prod'))).toEqual(['prod: no such environment (known: production, staging)']);
  });

  it('a name that is no file name, such as a path out of deploy/environments/, is refused before any file is read', () => {
    expect(problemsOf(() => loadEnvironment('../iam/deploy-policy'))).toEqual([
      '"../iam/deploy-policy": not an environment name: must be the name of a file in deploy/environments/ (like production)',
    ]);
  });

  it('derives the registry, every resource name and the role ARNs from the account and the environment’s name, which the file states once', () => {
    const environment = loadEnvironment('staging');
    expect(environment.registry).toBe('210987654321.dkr.ecr.eu-west-1.amazonaws.com');
    expect({
      namePrefix: environment.namePrefix,
      cluster: environment.cluster,
      roles: environment.roles,
      loadBalancerName: environment.loadBalancerName,
      targetGroupNames: environment.targetGroupNames,
    }).toEqual({
      namePrefix: 'ping-pong-staging',
      cluster: 'ping-pong-staging',
      roles: { task: 'ping-pong-staging-task', execution: 'ping-pong-staging-execution', deploy: 'ping-pong-staging-deploy' },
      loadBalancerName: 'ping-pong-staging',
      targetGroupNames: { client: 'ping-pong-staging-client', node: 'ping-pong-staging-node' },
    });
    expect(environment.roleArns).toEqual({
      task: 'arn:aws:iam::210987654321:role/ping-pong-staging-task',
      execution: 'arn:aws:iam::210987654321:role/ping-pong-staging-execution',
      deploy: 'arn:aws:iam::210987654321:role/ping-pong-staging-deploy',
    });
  });

  it('no name of one environment is a name of another: each carries the environment', () => {
    const [staging, production] = ['staging', 'production'].map((name) => loadEnvironment(name));
    const namesOf = (environment: Environment) => [
      environment.cluster,
      environment.loadBalancerName,
      ...Object.values(environment.roles),
      ...Object.values(environment.targetGroupNames),
    ];
    expect(namesOf(staging!).filter((name) => namesOf(production!).includes(name))).toEqual([]);
  });

  describe('a broken file', () => {
    let directory: string;
    /** production.json with `edit` applied, in a directory of its own. */
    const load = (edit: (json: AnyJson) => void) => {
      directory = mkdtempSync(path.join(tmpdir(), 'environments-'));
      const json = JSON.parse(readFileSync(path.join(ENVIRONMENTS_DIR, 'production.json'), 'utf8'));
      edit(json);
      writeFileSync(path.join(directory, 'production.json'), JSON.stringify(json));
      return problemsOf(() => loadEnvironment('production', directory)).map((problem) => problem.replace(/^.*production\.json: /, ''));
    };
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('names each bad field with its JSON path', () => {
      expect(
        load((json) => {
          json.account = '1234';
          json.loadBalancer.targetGroups[0].name = 'no spaces allowed';
          json.github.deploysFrom = { tag: 'v1' };
        }),
      ).toEqual([
        'account: must be a 12-digit AWS account id',
        expect.stringMatching(/^github\.deploysFrom: /),
        'loadBalancer.targetGroups[0].name: must be letters, digits and hyphens, not starting or ending with one',
      ]);
    });

    it('names each bad infrastructure field with its JSON path', () => {
      expect(
        load((json) => {
          json.network.availabilityZones = ['eu-west-1a', 'us-east-1b'];
          json.capacity.minInstances = 9;
          json.logs.retentionDays = 10;
          json.alarms.email = 'ops';
          json.loadBalancer.listener.certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
        }),
      ).toEqual([
        'capacity.minInstances: minInstances must not exceed maxInstances',
        expect.stringMatching(/^logs\.retentionDays: must be a retention CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30/),
        'alarms.email: must be an e-mail address',
        'network.availabilityZones[1]: is not a zone of eu-west-1',
        'loadBalancer.listener.certificateArn: must be a certificate of account 123456789012 in eu-west-1, where the load balancer is',
      ]);
    });

    it('an HTTPS listener needs its certificate, an HTTP one takes none', () => {
      expect(load((json) => delete json.loadBalancer.listener.certificateArn)).toEqual(['loadBalancer.listener.certificateArn: required']);
      expect(load((json) => (json.loadBalancer.listener.protocol = 'HTTP'))).toEqual(['loadBalancer.listener.certificateArn: unknown key']);
    });

    it('auto scaling owns the count: a service without it, or with a desiredCount, is refused', () => {
      expect(
        load((json) => {
          const service = json.services['microservice-ping-pong-node-service'];
          delete service.autoScaling;
          service.desiredCount = 2;
        }),
      ).toEqual([
        'services["microservice-ping-pong-node-service"].autoScaling: required',
        'services["microservice-ping-pong-node-service"].desiredCount: unknown key',
      ]);
    });

    it('a name AWS would refuse as too long is refused before any AWS call, naming what to shorten', () => {
      const renameNodeGroup = (json: AnyJson) => {
        delete json.promotedFrom;
        json.loadBalancer.targetGroups[1].name = 'node-with-a-long-name';
        for (const rule of json.loadBalancer.rules) rule.targetGroup = 'node-with-a-long-name';
      };
      expect(load(renameNodeGroup)).toEqual([
        'loadBalancer.targetGroups[1].name: makes the target group\'s name "ping-pong-production-node-with-a-long-name" (42 characters), over the 32 an ALB target group may have: shorten "node-with-a-long-name", or use a shorter environment (file) name than "production"',
      ]);
      directory = mkdtempSync(path.join(tmpdir(), 'environments-'));
      const longName = 'production-eu-central-1-blue';
      writeFileSync(path.join(directory, `${longName}.json`), readFileSync(path.join(ENVIRONMENTS_DIR, 'staging.json')));
      expect(problemsOf(() => loadEnvironment(longName, directory))).toEqual([
        expect.stringMatching(
          new RegExp(
            `: the load balancer's name "ping-pong-${longName}" \\(38 characters\\) is not a valid ALB name .*: use a shorter environment \\(file\\) name than "${longName}"$`,
          ),
        ),
        expect.stringMatching(
          /: loadBalancer\.targetGroups\[0\]\.name: makes the target group's name "ping-pong-production-eu-central-1-blue-client" \(45 characters\)/,
        ),
        expect.stringMatching(/: loadBalancer\.targetGroups\[1\]\.name: /),
      ]);
    });

    it('two target groups of one name are refused', () => {
      expect(load((json) => (json.loadBalancer.targetGroups[1].name = 'client'))).toEqual(
        expect.arrayContaining(['loadBalancer.targetGroups[1].name: client is used twice']),
      );
    });

    it('refuses promotedFrom naming an environment that has no file', () => {
      expect(load((json) => (json.promotedFrom = 'qa'))).toEqual([
        'promotedFrom: names no file in ' + path.relative(REPO_ROOT, directory) + '/',
      ]);
    });
  });
});
