import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadBalancerSettings, TargetGroupSettings } from '@ping-pong/deploy-config';
import type { TargetsByGroup } from '../src/load-balancer-config';
import { LoadBalancerTargets, type Routing } from '../src/load-balancer-targets';

/*
 * Registration against a recording stand-in for the load balancer, with real
 * HTTP servers as targets: the health checks are real requests.
 */
const group = (name: string, deregistrationDelaySeconds: number): TargetGroupSettings => ({
  name,
  service: 'node',
  containerName: 'node-john',
  containerPort: 3000,
  healthCheck: { path: '/ping', matcher: '200', intervalSeconds: 1, healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
  deregistrationDelaySeconds,
});
const NODE = group('node-tg', 7);

const servers: http.Server[] = [];
/** A target answering its health check with `status`; its `127.0.0.1:<port>`. */
async function target(status: number): Promise<string> {
  const server = http.createServer((_request, response) => response.writeHead(status).end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let routes: { targets: TargetsByGroup; drainSeconds: number }[];
let targets: LoadBalancerTargets;
beforeEach(() => {
  routes = [];
  const loadBalancer: Routing = {
    settings: { targetGroups: [NODE] } as LoadBalancerSettings,
    route: async (routed, drainSeconds) => void routes.push({ targets: routed, drainSeconds }),
  };
  targets = new LoadBalancerTargets(loadBalancer);
});
afterEach(async () => {
  targets.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('registering a task’s targets with the load balancer', () => {
  it('routes to a target only once it passed healthyThresholdCount checks, then resolves', async () => {
    const address = await target(200);

    await targets.register('1a2b3c4d', [{ group: NODE, address }], () => undefined);

    expect(routes).toEqual([{ targets: { 'node-tg': [address] }, drainSeconds: 10 }]);
  });

  it('deregisters by routing away from the task’s targets and draining for the group’s deregistration delay', async () => {
    const kept = await target(200);
    const leaving = await target(200);
    await Promise.all([
      targets.register('kept', [{ group: NODE, address: kept }], () => undefined),
      targets.register('leaving', [{ group: NODE, address: leaving }], () => undefined),
    ]);
    routes.length = 0;

    await targets.deregister('leaving');

    expect(routes).toEqual([{ targets: { 'node-tg': [kept] }, drainSeconds: NODE.deregistrationDelaySeconds }]);
  });

  it('rejects naming the target and its group when the target fails its health check, and never routes to it', async () => {
    const address = await target(503);

    await expect(targets.register('1a2b3c4d', [{ group: NODE, address }], () => undefined)).rejects.toThrow(
      `target ${address} of 1a2b3c4d failed the health check of node-tg`,
    );
    expect(routes.flatMap((route) => Object.values(route.targets).flat())).not.toContain(address);
  });

  it('stops waiting with the task’s reason when the task stops before its targets are healthy', async () => {
    const address = await target(200);

    await expect(targets.register('1a2b3c4d', [{ group: NODE, address }], () => 'essential container node-ringo exited')).rejects.toThrow(
      'essential container node-ringo exited',
    );
  });
});
