import {
  CLIENT_HEALTH_ROUTE,
  CLIENT_PORT,
  ERROR_STATUS,
  GATEWAY_HEALTH_ROUTE,
  GATEWAY_PORT,
  HEADERS,
  INTERNAL_HEADERS,
  INTERNAL_ROUTES,
  isErrorCode,
  OK_STATUS,
  PING_ANSWERS,
  REQUEST_ID_PATTERN,
  ROUTES,
  SERVICE_PORT,
} from '@ping-pong/contract';
import { composeServices, type Json, nginxBlocks, Problems, read, readJson } from './repo-files';

/*
 * The ports, health checks, headers and error bodies that Dockerfiles, compose
 * files, task definitions, environment files and nginx templates repeat from
 * the contract. Each problem names its file and the field or line.
 */

/** Where a health check command sends its request: `http://localhost:<port><path>`, a shell or node one-liner alike. */
function healthCheckTarget(command: string): { port: number; path: string } | undefined {
  // The node image's check falls back to the default port: `'http://localhost:' + (process.env.PORT || 3000) + '/ping'`.
  const resolved = command.replace(/' \+ \(process\.env\.PORT \|\| (\d+)\) \+ '/, '$1');
  const match = /http:\/\/localhost:(\d+)(\/[^'"\s)]*)?/.exec(resolved);
  return match ? { port: Number(match[1]), path: match[2] ?? '/' } : undefined;
}

/** A Dockerfile's instructions, continuation lines joined. */
const instructions = (dockerfile: string) => dockerfile.replace(/\\\n\s*/g, ' ').split('\n');

describe.each([
  { file: 'Dockerfile', port: SERVICE_PORT, health: ROUTES.ping },
  { file: 'apps/client/Dockerfile', port: CLIENT_PORT, health: CLIENT_HEALTH_ROUTE },
  { file: 'apps/nginx/Dockerfile', port: GATEWAY_PORT, health: GATEWAY_HEALTH_ROUTE },
])('$file', ({ file, port, health }) => {
  const lines = instructions(read(file));

  it(`exposes port ${port} in every stage that exposes one, and health-checks ${health} on it`, () => {
    const problems = new Problems(file);
    const exposed = lines.filter((line) => line.startsWith('EXPOSE ')).map((line) => line.slice('EXPOSE '.length).trim());
    problems.require('EXPOSE', exposed.length > 0, 'missing');
    exposed.forEach((value, index) => problems.expect(`EXPOSE (#${index + 1})`, value, String(port)));
    const checks = lines.filter((line) => line.startsWith('HEALTHCHECK '));
    problems.expect('HEALTHCHECK (count)', checks.length, 1);
    if (checks[0]) problems.expect('HEALTHCHECK CMD target', healthCheckTarget(checks[0]), { port, path: health });
    expect(problems.lines).toEqual([]);
  });
});

describe('the client image (apps/client)', () => {
  it('serves on the contract’s client port: nginx in production, Vite in the dev loop', () => {
    const template = new Problems('apps/client/nginx/nginx.conf.template');
    template.expect('listen', /^\s*listen (\S+);/m.exec(read('apps/client/nginx/nginx.conf.template'))?.[1], String(CLIENT_PORT));
    const dockerfile = new Problems('apps/client/Dockerfile');
    const vite = instructions(read('apps/client/Dockerfile')).find((line) => line.startsWith('CMD ["npx", "vite"'));
    dockerfile.expect('CMD npx vite --port', /"--port", "(\d+)"/.exec(vite ?? '')?.[1], String(CLIENT_PORT));
    expect([...template.lines, ...dockerfile.lines]).toEqual([]);
  });
});

describe('the compose files', () => {
  it.each(['docker-compose.yml', 'docker-compose.prod.yml'])('%s publishes the gateway’s container port', (file) => {
    const problems = new Problems(file);
    const ports = (composeServices(file).gateway?.ports ?? []) as string[];
    problems.expect(
      'services.gateway.ports (container side)',
      ports.map((mapping) => mapping.split(':').at(-1)),
      [String(GATEWAY_PORT)],
    );
    expect(problems.lines).toEqual([]);
  });

  it('docker-compose.yml health-checks the Vite client on the client port', () => {
    const problems = new Problems('docker-compose.yml');
    const test = (composeServices('docker-compose.yml').client?.healthcheck?.test ?? []) as string[];
    problems.expect('services.client.healthcheck.test target', healthCheckTarget(test.join(' ')), {
      port: CLIENT_PORT,
      path: CLIENT_HEALTH_ROUTE,
    });
    expect(problems.lines).toEqual([]);
  });
});

describe.each([
  { file: 'deploy/task-definitions/node.json', port: SERVICE_PORT, health: ROUTES.ping },
  { file: 'deploy/task-definitions/client.json', port: CLIENT_PORT, health: CLIENT_HEALTH_ROUTE },
])('$file', ({ file, port, health }) => {
  it(`health-checks every container on ${health} at port ${port}, and maps no other container port`, () => {
    const problems = new Problems(file);
    (readJson(file).containerDefinitions as Json[]).forEach((container, index) => {
      const at = `containerDefinitions[${index}]`;
      const command = (container.healthCheck?.command ?? []) as string[];
      problems.expect(`${at}.healthCheck.command target`, healthCheckTarget(command.join(' ')), { port, path: health });
      (container.portMappings ?? []).forEach((mapping: Json, mappingIndex: number) =>
        problems.expect(`${at}.portMappings[${mappingIndex}].containerPort`, mapping.containerPort, port),
      );
    });
    expect(problems.lines).toEqual([]);
  });
});

describe.each(['staging', 'production'])('deploy/environments/%s.json', (name) => {
  const file = `deploy/environments/${name}.json`;
  const environment = readJson(file);
  const groupsOf = (taskDefinition: string) =>
    (environment.loadBalancer.targetGroups as Json[]).filter(
      (group) => environment.services[group.service]?.taskDefinition === taskDefinition,
    );

  it('health-checks the members on /ping, healthy only as a serving member answers, and the client on its page and port', () => {
    const problems = new Problems(file);
    const expected = [
      { taskDefinition: 'node.json', path: ROUTES.ping, matcher: String(PING_ANSWERS.serving.status) },
      { taskDefinition: 'client.json', path: CLIENT_HEALTH_ROUTE, matcher: String(OK_STATUS), containerPort: CLIENT_PORT },
    ];
    for (const { taskDefinition, path, matcher, containerPort } of expected) {
      const groups = groupsOf(taskDefinition);
      problems.require('loadBalancer.targetGroups', groups.length > 0, `no target group for the service of ${taskDefinition}`);
      for (const group of groups) {
        const at = `loadBalancer.targetGroups[name=${group.name}]`;
        problems.expect(`${at}.healthCheck.path`, group.healthCheck?.path, path);
        problems.expect(`${at}.healthCheck.matcher`, group.healthCheck?.matcher, matcher);
        // The node group's port is checked with its container in chain-files.test.ts.
        if (containerPort) problems.expect(`${at}.containerPort`, group.containerPort, containerPort);
      }
    }
    expect(problems.lines).toEqual([]);
  });
});

/** An nginx `$variable` name for a request header, as nginx spells it: `x-request-id` → `$http_x_request_id`. */
const nginxRequestHeader = (header: string) => `$http_${header.toLowerCase().replaceAll('-', '_')}`;

describe('the gateway (apps/nginx)', () => {
  const file = 'apps/nginx/templates/nginx.conf.template';
  const template = read(file);

  it('listens on the gateway port and answers its own health check route', () => {
    const problems = new Problems(file);
    problems.expect('listen', /^\s*listen (\S+);/m.exec(template)?.[1], String(GATEWAY_PORT));
    problems.require(`location = ${GATEWAY_HEALTH_ROUTE}`, template.includes(`location = ${GATEWAY_HEALTH_ROUTE} {`), 'missing');
    const image = new Problems('apps/nginx/Dockerfile');
    image.expect('ENV CLIENT_UPSTREAM', /CLIENT_UPSTREAM=(\S+)/.exec(read('apps/nginx/Dockerfile'))?.[1], `client:${CLIENT_PORT}`);
    expect([...problems.lines, ...image.lines]).toEqual([]);
  });

  it('clears exactly the contract’s internal headers from every request it forwards', () => {
    const problems = new Problems(file);
    const cleared = [...template.matchAll(/^\s*proxy_set_header (\S+) "";/gm)].map(([, header]) => header!.toLowerCase());
    problems.expect('proxy_set_header <header> ""', [...cleared].sort(), [...INTERNAL_HEADERS].sort());
    expect(problems.lines).toEqual([]);
  });

  it('forwards and returns the request id under the contract’s header, kept by the same rule as the services', () => {
    const problems = new Problems(file);
    const setTo = (variable: string) =>
      [...template.matchAll(/^\s*proxy_set_header (\S+) (\S+);/gm)]
        .filter(([, , value]) => value === variable)
        .map(([, header]) => header!.toLowerCase());
    problems.expect('proxy_set_header <header> $ping_pong_request_id', setTo('$ping_pong_request_id'), [HEADERS.requestId]);
    problems.expect('proxy_hide_header', /^\s*proxy_hide_header (\S+);/m.exec(template)?.[1]?.toLowerCase(), HEADERS.requestId);
    const common = new Problems('apps/nginx/common/http.conf');
    const map = /map (\S+) \$ping_pong_request_id \{\s*"~([^"]+)"/.exec(read('apps/nginx/common/http.conf'));
    common.expect('map … $ping_pong_request_id (source)', map?.[1], nginxRequestHeader(HEADERS.requestId));
    common.expect('map … $ping_pong_request_id (pattern)', map?.[2], REQUEST_ID_PATTERN.source);
    expect([...problems.lines, ...common.lines]).toEqual([]);
  });

  it('answers every member route that is not public 404 itself', () => {
    const problems = new Problems(file);
    const refusing = nginxBlocks(template, 'location').filter(({ args }) => args.startsWith('~ ^/('));
    problems.expect('location ~ ^/(…)(/|$) (count)', refusing.length, 1);
    const refused = /^~ \^\/\(([^)]+)\)/.exec(refusing[0]?.args ?? '')?.[1]?.split('|') ?? [];
    problems.expect('location ~ ^/(…)(/|$) routes', refused.map((route) => `/${route}`).sort(), [...INTERNAL_ROUTES].sort());
    const answer = /return (\d+) '\{"error":"(\w+)"/.exec(refusing[0]?.body ?? '');
    problems.expect('location ~ ^/(…)(/|$) return', [Number(answer?.[1]), answer?.[2]], [ERROR_STATUS.not_found, 'not_found']);
    expect(problems.lines).toEqual([]);
  });
});

describe.each(['apps/nginx/templates/nginx.conf.template', 'apps/client/nginx/nginx.conf.template'])('%s', (file) => {
  it('writes its own errors as the services’ error body, each code with the contract’s status for it', () => {
    const problems = new Problems(file);
    const returns = read(file)
      .split('\n')
      .flatMap((text, index) => {
        const match = /^\s*return (\d{3}) '(\{.*\})\\n';$/.exec(text);
        return match ? [{ line: index + 1, status: Number(match[1]), body: match[2]! }] : [];
      });
    problems.require('return <status> \'{"error":…}\'', returns.length > 0, 'no JSON error answer found');
    for (const { line, status, body } of returns) {
      const at = `line ${line}: return ${status}`;
      // nginx variables inside the strings are filled in at run time; any text stands in for them here.
      const parsed = JSON.parse(body.replace(/\$\w+/g, 'x')) as Record<string, unknown>;
      const code = String(parsed.error);
      problems.expect(`${at} (keys)`, Object.keys(parsed), ['error', 'message', 'requestId']);
      problems.require(`${at} (error)`, isErrorCode(code), `"${code}" is not an error code of the contract`);
      if (isErrorCode(code)) problems.expect(`${at} (status of "${code}")`, status, ERROR_STATUS[code]);
    }
    expect(problems.lines).toEqual([]);
  });
});

describe('the bench’s reference gateway (bench/reference/nginx.conf.template)', () => {
  it('listens on the gateway port, as the bench maps it', () => {
    const problems = new Problems('bench/reference/nginx.conf.template');
    problems.expect('listen', /^\s*listen (\S+);/m.exec(read('bench/reference/nginx.conf.template'))?.[1], String(GATEWAY_PORT));
    expect(problems.lines).toEqual([]);
  });
});
