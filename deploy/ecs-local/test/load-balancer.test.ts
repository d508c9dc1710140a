import type { LoadBalancerSettings } from '@ping-pong/deploy-config';
import { formatInventory } from '../src/inventory';
import { pathPatternRegex, renderLoadBalancerConfig } from '../src/load-balancer-config';
import { matchesStatus, nextHealth } from '../src/target-group';

const healthCheck = { path: '/ping', matcher: '200', intervalSeconds: 15, healthyThresholdCount: 2, unhealthyThresholdCount: 3 };
const loadBalancer: LoadBalancerSettings = {
  listener: { protocol: 'HTTP', port: 80 },
  targetGroups: [
    {
      name: 'client-tg',
      service: 'client',
      containerName: 'client',
      containerPort: 3000,
      healthCheck: { ...healthCheck, path: '/' },
      deregistrationDelaySeconds: 30,
    },
    { name: 'node-tg', service: 'node', containerName: 'node-john', containerPort: 3000, healthCheck, deregistrationDelaySeconds: 30 },
  ],
  rules: [
    { priority: 20, pathPatterns: ['/ping'], targetGroup: 'node-tg' },
    { priority: 10, pathPatterns: ['/start', '/api/*'], targetGroup: 'node-tg' },
  ],
  defaultTargetGroup: 'client-tg',
};

describe('the load balancer configuration from the listener rules', () => {
  it('matches ALB path patterns on the whole path, * and ? as wildcards', () => {
    const regex = new RegExp(pathPatternRegex('/api/v?/*.json'));
    expect(['/api/v1/users.json', '/api/v2/.json'].map((path) => regex.test(path))).toEqual([true, true]);
    expect(['/api/v10/users.json', '/api/v1/users.jsonx', '/x/api/v1/a.json'].map((path) => regex.test(path))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('closes each client connection after its answer, so the reload on a target change cannot reset a reused one', () => {
    const config = renderLoadBalancerConfig(loadBalancer, 41000, { 'node-tg': ['127.0.0.1:32771'], 'client-tg': ['127.0.0.1:32770'] });
    expect(config).toMatch(/server \{\n\s+listen 127\.0\.0\.1:41000;\n(\s+#.*\n)*\s+keepalive_timeout 0;/);
  });

  it('keeps connections to the targets, appends the peer to X-Forwarded-For as an ALB does, never retries and waits the idle timeout', () => {
    const config = renderLoadBalancerConfig(loadBalancer, 41000, { 'node-tg': ['127.0.0.1:32771'], 'client-tg': ['127.0.0.1:32770'] });
    expect(config).toMatch(/upstream target_group_node_tg \{[^}]*keepalive \d+;/);
    expect(config).toContain('proxy_http_version 1.1;');
    expect(config).toContain('proxy_set_header Connection "";');
    expect(config).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(config).toContain('proxy_next_upstream off;');
    expect(config).toContain('proxy_read_timeout 60s;');
  });

  it('routes rules in priority order to upstreams of the healthy targets, the rest to the default group', () => {
    const config = renderLoadBalancerConfig(loadBalancer, 41000, {
      'node-tg': ['127.0.0.1:32771', '127.0.0.1:32775'],
      'client-tg': ['127.0.0.1:32770'],
    });
    expect(config).toContain('listen 127.0.0.1:41000;');
    expect(config).toMatch(/upstream target_group_node_tg \{\n\s+server 127\.0\.0\.1:32771;\n\s+server 127\.0\.0\.1:32775;/);
    const start = config.indexOf('location ~ "^(/start|/api/.*)$"');
    const ping = config.indexOf('location ~ "^(/ping)$"');
    expect(start).toBeGreaterThan(-1);
    expect(ping).toBeGreaterThan(start);
    expect(config).toMatch(/location \/ \{\n\s+proxy_pass http:\/\/target_group_client_tg;/);
  });

  it('answers 503 for a target group without a healthy target, as an ALB does', () => {
    const config = renderLoadBalancerConfig(loadBalancer, 41000, { 'client-tg': ['127.0.0.1:32770'] });
    expect(config).not.toContain('upstream target_group_node_tg');
    expect(config).toMatch(
      /location ~ "\^\(\/ping\)\$" \{\n\s+default_type application\/json;\n\s+return 503 .*no healthy target in node-tg/,
    );
  });
});

describe('target group health checks', () => {
  it('matches single codes, lists and ranges', () => {
    expect([
      matchesStatus('200', 200),
      matchesStatus('200', 204),
      matchesStatus('200,204', 204),
      matchesStatus('200-299', 299),
      matchesStatus('200-299', 301),
    ]).toEqual([true, false, true, true, false]);
  });

  it('puts a new target in service only after healthyThresholdCount passes in a row', () => {
    const first = nextHealth(healthCheck, { health: 'initial', streak: 0, lastPassed: false }, true);
    expect(first.health).toBe('initial');
    expect(nextHealth(healthCheck, first, true).health).toBe('healthy');
    expect(nextHealth(healthCheck, nextHealth(healthCheck, first, false), true).health).toBe('initial');
  });

  it('takes a healthy target out after unhealthyThresholdCount failures in a row', () => {
    let state: ReturnType<typeof nextHealth> = { health: 'healthy', streak: 5, lastPassed: true };
    state = nextHealth(healthCheck, state, false);
    state = nextHealth(healthCheck, state, false);
    expect(state.health).toBe('healthy');
    expect(nextHealth(healthCheck, state, false).health).toBe('unhealthy');
  });
});

describe('the ps table', () => {
  it('lines up task, container, image, health and host port and ends with the load balancer URL', () => {
    const text = formatInventory({
      loadBalancerUrl: 'http://127.0.0.1:41000',
      rows: [
        { task: 'node-td 0dafd561', container: 'node-john', image: 'node:local', health: 'healthy', hostPort: '127.0.0.1:32771->3000/tcp' },
      ],
    });
    expect(text.split('\n')).toEqual([
      'TASK              CONTAINER  IMAGE       HEALTH   HOST PORT',
      'node-td 0dafd561  node-john  node:local  healthy  127.0.0.1:32771->3000/tcp',
      '',
      'load balancer: http://127.0.0.1:41000',
    ]);
  });
});
