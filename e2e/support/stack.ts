import { randomBytes } from 'node:crypto';
import { CHAIN, GATEWAY_PORT, memberOf, nextHopUrl, ROUTES, SERVICE_PORT, type ServiceName } from '@ping-pong/contract';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { imageName, resourcePrefix, RUN_LABEL, runId } from './images';

export type StackService = ServiceName | 'client' | 'gateway';

/** A container as docker-compose.prod.yml runs it: read-only root filesystem, labelled with the run. */
class ProductContainer extends GenericContainer {
  constructor(image: string, network: StartedNetwork, alias: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
    this.withNetwork(network)
      .withNetworkAliases(alias)
      .withLabels({ [RUN_LABEL]: runId() })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(60_000);
  }
}

/** One node service on the network, configured like compose does; `variables` override its environment. */
export function nodeContainer(service: ServiceName, network: StartedNetwork, variables: Record<string, string> = {}): GenericContainer {
  const { app } = memberOf(service);
  return new ProductContainer(imageName('node'), network, service)
    .withCommand(['node', `apps/${app}/dist/main.js`])
    .withEnvironment({ SERVICE_NAME: service, PORT: String(SERVICE_PORT), NEXT_HOP: nextHopUrl(service), ...variables });
}

export function clientContainer(network: StartedNetwork): GenericContainer {
  return new ProductContainer(imageName('client'), network, 'client').withTmpFs({ '/tmp': 'rw' });
}

export function gatewayContainer(network: StartedNetwork, variables: Record<string, string> = {}): GenericContainer {
  return new ProductContainer(imageName('gateway'), network, 'gateway')
    .withTmpFs({ '/tmp': 'rw' })
    .withEnvironment(variables)
    .withExposedPorts(GATEWAY_PORT);
}

/** How the host reaches a started gateway: http://<host>:<mapped port>. */
export function gatewayUrlOf(gateway: StartedTestContainer): string {
  return `http://${gateway.getHost()}:${gateway.getMappedPort(GATEWAY_PORT)}`;
}

/**
 * A stand-in for a service behind the gateway, on the node image: it writes
 * one JSON line per request it receives (`{"received":"/start"}`), answers
 * /ping with the request headers it got, as JSON, and answers /start only
 * after `startDelayMs`.
 */
export function stubUpstreamContainer(network: StartedNetwork, alias: string, startDelayMs: number): GenericContainer {
  const script = `require('node:http').createServer((req, res) => {
    console.log(JSON.stringify({ received: req.url }));
    res.setHeader('content-type', 'application/json');
    if (req.url === '${ROUTES.start}') setTimeout(() => res.end('[]'), ${startDelayMs});
    else res.end(JSON.stringify(req.headers));
  }).listen(${SERVICE_PORT});`;
  return new ProductContainer(imageName('node'), network, alias).withCommand(['node', '-e', script]);
}

export async function startNetwork(): Promise<StartedNetwork> {
  const name = `${resourcePrefix()}-${randomBytes(3).toString('hex')}`;
  return new Network({ nextUuid: () => name }).start();
}

/** Containers started on `network` one by one, and removed together with it. */
export interface ContainerGroup {
  start(container: GenericContainer): Promise<StartedTestContainer>;
  /** Stops and removes every container started so far, then the network. */
  stop(): Promise<void>;
}

export function containerGroup(network: StartedNetwork): ContainerGroup {
  const started: StartedTestContainer[] = [];
  return {
    async start(container) {
      const running = await container.start();
      started.push(running);
      return running;
    },
    async stop() {
      await Promise.allSettled(started.map((container) => container.stop({ remove: true, removeVolumes: true })));
      await network.stop();
    },
  };
}

export interface Stack extends ContainerGroup {
  readonly network: StartedNetwork;
  readonly containers: Record<StackService, StartedTestContainer>;
  /** http://localhost:<mapped port> of the gateway: the only way tests reach the stack. */
  readonly gatewayUrl: string;
}

/**
 * The whole product on its own network from this run's images: the four
 * services, the client and the gateway, each healthy before this resolves.
 * A container a test starts with the stack's `start` is removed with it.
 * `nodeVariables` is passed to all four services (e.g. REQUEST_DEADLINE_MS).
 */
export async function startStack(nodeVariables: Record<string, string> = {}): Promise<Stack> {
  const network = await startNetwork();
  const group = containerGroup(network);
  try {
    const [members, client] = await Promise.all([
      Promise.all(CHAIN.map(async ({ service }) => [service, await group.start(nodeContainer(service, network, nodeVariables))] as const)),
      group.start(clientContainer(network)),
    ]);
    // The gateway derives its read timeout from the services' deadline, as in compose.
    const deadline = nodeVariables.REQUEST_DEADLINE_MS;
    const gateway = await group.start(gatewayContainer(network, deadline ? { REQUEST_DEADLINE_MS: deadline } : {}));
    return {
      ...group,
      network,
      containers: { ...(Object.fromEntries(members) as Record<ServiceName, StartedTestContainer>), client, gateway },
      gatewayUrl: gatewayUrlOf(gateway),
    };
  } catch (error) {
    await group.stop();
    throw error;
  }
}
