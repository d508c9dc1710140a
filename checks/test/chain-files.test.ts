import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHAIN,
  DEFAULT_REQUEST_DEADLINE_MS,
  nextHopUrl,
  nextMember,
  PUBLIC_ROUTES,
  REQUEST_ID_PATTERN,
  SERVICE_NAMES,
  SERVICE_PORT,
  type ChainMember,
} from '@ping-pong/contract';
import { REPO_ROOT } from '@ping-pong/tooling';
import { parse } from 'yaml';

/*
 * The YAML, JSON and config files stay literal, because they are what users
 * read and edit; this binds each place that repeats the chain to the
 * contract. A member added or renamed in one place and not the others fails
 * here with `<file>: <field>: <what is wrong>`.
 */

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
// The files' shapes are what is being checked, so no type describes them up front.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const readJson = (file: string) => JSON.parse(read(file)) as Json;
/** A compose file's services, its YAML merge keys (`<<: *production`) applied as compose applies them. */
const composeServices = (file: string) => (parse(read(file), { merge: true }) as Json).services as Record<string, Json>;

/** Collects `<file>: <field>: <problem>` lines; a test expects none. */
class Problems {
  readonly lines: string[] = [];
  constructor(private readonly file: string) {}

  expect(field: string, actual: unknown, expected: unknown): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      this.lines.push(`${this.file}: ${field}: is ${JSON.stringify(actual)}, the contract says ${JSON.stringify(expected)}`);
    }
  }

  require(field: string, ok: boolean, problem: string): void {
    if (!ok) this.lines.push(`${this.file}: ${field}: ${problem}`);
  }
}

const first = CHAIN[0];
const appOf = (service: string) => CHAIN.find((member) => member.service === service)?.app;

/** Services of a compose file that are not chain members. */
const OTHER_COMPOSE_SERVICES = ['client', 'gateway'];

describe.each(['docker-compose.yml', 'docker-compose.prod.yml'])('%s', (file) => {
  const services = composeServices(file);

  it('runs every member of the chain, and no other node service', () => {
    const problems = new Problems(file);
    const nodeServices = Object.keys(services).filter((name) => !OTHER_COMPOSE_SERVICES.includes(name));
    problems.expect('services', nodeServices, SERVICE_NAMES);
    expect(problems.lines).toEqual([]);
  });

  it.each(CHAIN.map((member) => [member.service, member] as const))('wires %s as the contract does', (_name, member: ChainMember) => {
    const problems = new Problems(file);
    const service = services[member.service];
    const at = `services.${member.service}`;
    problems.require(at, service !== undefined, 'missing');
    if (service) {
      const environment = service.environment ?? {};
      problems.expect(`${at}.environment.SERVICE_NAME`, environment.SERVICE_NAME, member.service);
      problems.expect(`${at}.environment.NEXT_HOP`, environment.NEXT_HOP, nextHopUrl(member.service));
      problems.expect(`${at}.environment.PORT`, String(environment.PORT), String(SERVICE_PORT));
      problems.expect(
        `${at}.environment.REQUEST_DEADLINE_MS`,
        environment.REQUEST_DEADLINE_MS,
        `\${REQUEST_DEADLINE_MS:-${DEFAULT_REQUEST_DEADLINE_MS}}`,
      );
      const command = (service.command ?? []).join(' ');
      problems.require(`${at}.command`, command.includes(`apps/${member.app}/`), `runs ${JSON.stringify(command)}, not apps/${member.app}`);
      if (file === 'docker-compose.yml') problems.expect(`${at}.container_name`, service.container_name, member.service);
      const next = nextMember(member.service, CHAIN);
      const dependsOn = Object.entries(service.depends_on ?? {}).map(([name, { condition }]: [string, Json]) => `${name}:${condition}`);
      problems.expect(`${at}.depends_on`, dependsOn, next ? [`${next.service}:service_healthy`] : []);
    }
    expect(problems.lines).toEqual([]);
  });

  it('starts the gateway once the first member is healthy, with the services’ deadline to derive its read timeout from', () => {
    const problems = new Problems(file);
    problems.expect(
      `services.gateway.depends_on.${first.service}.condition`,
      services.gateway?.depends_on?.[first.service]?.condition,
      'service_healthy',
    );
    problems.expect(
      'services.gateway.environment.REQUEST_DEADLINE_MS',
      services.gateway?.environment?.REQUEST_DEADLINE_MS,
      services[first.service]?.environment?.REQUEST_DEADLINE_MS,
    );
    expect(problems.lines).toEqual([]);
  });
});

describe('docker-compose.prod.yml and the task definitions', () => {
  const file = 'docker-compose.prod.yml';
  const services = composeServices(file);
  const containers = ['node.json', 'client.json'].flatMap(
    (name) => readJson(`deploy/task-definitions/${name}`).containerDefinitions as Json[],
  );
  /** `256m` → 256 (MiB), as a task definition states it. */
  const mebibytes = (value: unknown) => (typeof value === 'string' && /^\d+m$/.test(value) ? Number(value.slice(0, -1)) : value);

  it.each(containers.map((container) => [container.name as string, container] as const))(
    'runs %s with the user and memory its task definition gives it',
    (name, container: Json) => {
      const problems = new Problems(file);
      const service = services[name];
      problems.require(`services.${name}`, service !== undefined, 'missing');
      problems.expect(`services.${name}.user`, service?.user, container.user);
      problems.expect(`services.${name}.mem_reservation`, mebibytes(service?.mem_reservation), container.memoryReservation);
      problems.expect(`services.${name}.mem_limit`, mebibytes(service?.mem_limit), container.memory);
      expect(problems.lines).toEqual([]);
    },
  );

  it('gives every service the defences the task definitions demand', () => {
    const problems = new Problems(file);
    for (const [name, service] of Object.entries(services)) {
      problems.expect(`services.${name}.read_only`, service.read_only, true);
      problems.expect(`services.${name}.cap_drop`, service.cap_drop, ['ALL']);
      problems.expect(`services.${name}.security_opt`, service.security_opt, ['no-new-privileges:true']);
      const user = String(service.user ?? '');
      problems.require(`services.${name}.user`, user !== '' && !/^(root|0+)(:|$)/.test(user), 'must name a user other than root');
      problems.require(
        `services.${name}.mem_limit`,
        Number(mebibytes(service.mem_limit)) >= Number(mebibytes(service.mem_reservation)),
        'must be set, at or above mem_reservation',
      );
    }
    expect(problems.lines).toEqual([]);
  });
});

describe('deploy/task-definitions/node.json', () => {
  const file = 'deploy/task-definitions/node.json';
  const containers = readJson(file).containerDefinitions as Json[];

  it('has one container per member, in chain order', () => {
    const problems = new Problems(file);
    problems.expect(
      'containerDefinitions[].name',
      containers.map((container) => container.name),
      SERVICE_NAMES,
    );
    expect(problems.lines).toEqual([]);
  });

  it('wires every container to the next through links, a HEALTHY dependency and NEXT_HOP', () => {
    const problems = new Problems(file);
    containers.forEach((container, index) => {
      const at = `containerDefinitions[${index}]`;
      const next = appOf(container.name) ? nextMember(container.name, CHAIN) : undefined;
      const variable = (name: string) => (container.environment ?? []).find((item: Json) => item.name === name)?.value;
      problems.expect(`${at}.command`, container.command, ['node', `apps/${appOf(container.name)}/dist/main.js`]);
      problems.expect(`${at}.links`, container.links ?? [], next ? [next.service] : []);
      problems.expect(`${at}.dependsOn`, container.dependsOn ?? [], next ? [{ containerName: next.service, condition: 'HEALTHY' }] : []);
      problems.expect(`${at}.environment.SERVICE_NAME`, variable('SERVICE_NAME'), container.name);
      problems.expect(`${at}.environment.NEXT_HOP`, variable('NEXT_HOP'), appOf(container.name) ? nextHopUrl(container.name) : undefined);
      problems.expect(`${at}.environment.PORT`, variable('PORT'), String(SERVICE_PORT));
      problems.expect(`${at}.environment.REQUEST_DEADLINE_MS`, variable('REQUEST_DEADLINE_MS'), String(DEFAULT_REQUEST_DEADLINE_MS));
    });
    expect(problems.lines).toEqual([]);
  });

  it('publishes only the first member, on the container port', () => {
    const problems = new Problems(file);
    containers.forEach((container, index) => {
      const ports = (container.portMappings ?? []).map((mapping: Json) => mapping.containerPort);
      problems.expect(
        `containerDefinitions[${index}].portMappings[].containerPort`,
        ports,
        container.name === first.service ? [SERVICE_PORT] : [],
      );
    });
    expect(problems.lines).toEqual([]);
  });
});

describe.each(['staging', 'production'])('deploy/environments/%s.json', (name) => {
  const file = `deploy/environments/${name}.json`;
  const environment = readJson(file);
  const nodeGroups = (environment.loadBalancer.targetGroups as Json[]).filter(
    (group) => environment.services[group.service]?.taskDefinition === 'node.json',
  );

  it('balances the node task on the first member’s container port, and routes exactly the public routes to it', () => {
    const problems = new Problems(file);
    problems.require(
      'loadBalancer.targetGroups',
      nodeGroups.length === 1,
      `has ${nodeGroups.length} target groups for node.json's service; expected one`,
    );
    const group = nodeGroups[0];
    if (group) {
      problems.expect(`loadBalancer.targetGroups[name=${group.name}].containerName`, group.containerName, first.service);
      problems.expect(`loadBalancer.targetGroups[name=${group.name}].containerPort`, group.containerPort, SERVICE_PORT);
      const routed = (environment.loadBalancer.rules as Json[])
        .filter((rule) => rule.targetGroup === group.name)
        .flatMap((rule) => rule.pathPatterns);
      problems.expect(`loadBalancer.rules[targetGroup=${group.name}].pathPatterns`, [...routed].sort(), [...PUBLIC_ROUTES].sort());
    }
    expect(problems.lines).toEqual([]);
  });
});

describe('the gateway (apps/nginx)', () => {
  const template = read('apps/nginx/templates/nginx.conf.template');
  const dockerfile = read('apps/nginx/Dockerfile');

  it('sends exactly the public routes to the API upstream, which is the first member on the container port', () => {
    const routes = new Problems('apps/nginx/templates/nginx.conf.template');
    // A block's body, where `${NAME}` placeholders do not end it.
    const blockBody = String.raw`((?:\$\{[A-Z_]+\}|[^}])*)`;
    const apiUpstreams = [...template.matchAll(new RegExp(String.raw`upstream (\S+) \{${blockBody}\}`, 'g'))]
      .filter(([, , body]) => /^\s*server \$\{API_UPSTREAM\}[\s;]/m.test(body!))
      .map(([, name]) => name!);
    routes.expect('upstream … { server ${API_UPSTREAM} … }', apiUpstreams.length, 1);
    const api = apiUpstreams[0];
    // Every location, exact or not, whose proxy_pass names the API upstream.
    const proxied = [...template.matchAll(new RegExp(String.raw`location ([^{]*?) ?\{${blockBody}\}`, 'g'))]
      .filter(([, , body]) => body!.includes(`proxy_pass http://${api};`))
      .map(([, match]) => match!);
    routes.expect(`location … { proxy_pass http://${api}; }`, proxied.sort(), PUBLIC_ROUTES.map((route) => `= ${route}`).sort());
    routes.expect(`proxy_pass http://${api}; (anywhere)`, template.split(`proxy_pass http://${api};`).length - 1, PUBLIC_ROUTES.length);
    const image = new Problems('apps/nginx/Dockerfile');
    image.expect('ENV API_UPSTREAM', /API_UPSTREAM=(\S+)/.exec(dockerfile)?.[1], `${first.service}:${SERVICE_PORT}`);
    image.expect('ENV REQUEST_DEADLINE_MS', /REQUEST_DEADLINE_MS=(\S+)/.exec(dockerfile)?.[1], String(DEFAULT_REQUEST_DEADLINE_MS));
    expect([...routes.lines, ...image.lines]).toEqual([]);
  });

  it('keeps a caller’s request id by the same rule as the services', () => {
    const problems = new Problems('apps/nginx/common/http.conf');
    const pattern = /map \$http_x_request_id \$ping_pong_request_id \{\s*"~([^"]+)"/.exec(read('apps/nginx/common/http.conf'))?.[1];
    problems.expect('map $http_x_request_id', pattern, REQUEST_ID_PATTERN.source);
    expect(problems.lines).toEqual([]);
  });
});

describe('the node image (Dockerfile)', () => {
  const dockerfile = read('Dockerfile');

  it('prunes, builds and ships every member', () => {
    const problems = new Problems('Dockerfile');
    const pruned = /turbo prune ([^\n]*?) --docker/.exec(dockerfile)?.[1]?.split(/\s+/) ?? [];
    problems.expect('turbo prune', [...pruned].sort(), CHAIN.map((member) => `@ping-pong/${member.app}`).sort());
    for (const member of CHAIN) {
      problems.require(
        `COPY apps/${member.app}/dist`,
        dockerfile.includes(`apps/${member.app}/dist apps/${member.app}/dist`),
        'missing from the runtime stage',
      );
    }
    expect(problems.lines).toEqual([]);
  });
});

describe('the apps', () => {
  it.each(CHAIN.map((member) => [member.app, member] as const))(
    'apps/%s starts its member and runs on its dev port in `npm run dev`',
    (_app, member: ChainMember) => {
      const problems = new Problems(`apps/${member.app}`);
      const main = read(`apps/${member.app}/src/main.ts`);
      problems.require(
        'src/main.ts',
        main.includes(`startService('${member.service}')`),
        `does not call startService('${member.service}')`,
      );
      const dev = readJson(`apps/${member.app}/package.json`).scripts.dev as string;
      const next = nextMember(member.service, CHAIN);
      problems.expect('package.json: scripts.dev PORT', /PORT=(\S*)/.exec(dev)?.[1], String(member.devPort));
      problems.expect(
        'package.json: scripts.dev NEXT_HOP',
        /NEXT_HOP=(\S*)/.exec(dev)?.[1],
        next ? `http://${next.service}.localhost:${next.devPort}` : '',
      );
      expect(problems.lines).toEqual([]);
    },
  );

  it('.env.example documents the contract’s default deadline', () => {
    expect(/^REQUEST_DEADLINE_MS=(\d+)$/m.exec(read('.env.example'))?.[1]).toBe(String(DEFAULT_REQUEST_DEADLINE_MS));
  });
});
