import { randomBytes } from 'node:crypto';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { imageName, resourcePrefix, RUN_LABEL, runId } from './images';

/** The chain in order, with the next hop each one calls (as in docker-compose.yml). */
export const NODE_SERVICES = {
  'node-john': { app: 'john', nextHop: 'http://node-paul:3000' },
  'node-paul': { app: 'paul', nextHop: 'http://node-george:3000' },
  'node-george': { app: 'george', nextHop: 'http://node-ringo:3000' },
  'node-ringo': { app: 'ringo', nextHop: '' },
} as const;
export type NodeService = keyof typeof NODE_SERVICES;
export type StackService = NodeService | 'client' | 'gateway';

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
export function nodeContainer(service: NodeService, network: StartedNetwork, variables: Record<string, string> = {}): GenericContainer {
  const { app, nextHop } = NODE_SERVICES[service];
  return new ProductContainer(imageName('node'), network, service)
    .withCommand(['node', `apps/${app}/dist/main.js`])
    .withEnvironment({ SERVICE_NAME: service, PORT: '3000', NEXT_HOP: nextHop, ...variables });
}

export function clientContainer(network: StartedNetwork): GenericContainer {
  return new ProductContainer(imageName('client'), network, 'client').withTmpFs({ '/tmp': 'rw' });
}

export function gatewayContainer(network: StartedNetwork): GenericContainer {
  return new ProductContainer(imageName('gateway'), network, 'gateway').withTmpFs({ '/tmp': 'rw' }).withExposedPorts(8080);
}

export async function startNetwork(): Promise<StartedNetwork> {
  const name = `${resourcePrefix()}-${randomBytes(3).toString('hex')}`;
  return new Network({ nextUuid: () => name }).start();
}

export interface Stack {
  readonly network: StartedNetwork;
  readonly containers: Record<StackService, StartedTestContainer>;
  /** http://localhost:<mapped port> of the gateway: the only way tests reach the stack. */
  readonly gatewayUrl: string;
  /** Stops and removes every container, then the network. */
  stop(): Promise<void>;
}

/**
 * The whole product on its own network from this run's images: the four
 * services, the client and the gateway, each healthy before this resolves.
 * `nodeVariables` is passed to all four services (e.g. REQUEST_DEADLINE_MS).
 */
export async function startStack(nodeVariables: Record<string, string> = {}): Promise<Stack> {
  const network = await startNetwork();
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((container) => container.stop({ remove: true, removeVolumes: true })));
    await network.stop();
  };
  const start = async (container: GenericContainer) => {
    const running = await container.start();
    started.push(running);
    return running;
  };
  try {
    const services = Object.keys(NODE_SERVICES) as NodeService[];
    const [john, paul, george, ringo, client] = await Promise.all([
      ...services.map((service) => start(nodeContainer(service, network, nodeVariables))),
      start(clientContainer(network)),
    ]);
    const gateway = await start(gatewayContainer(network));
    return {
      network,
      containers: { 'node-john': john!, 'node-paul': paul!, 'node-george': george!, 'node-ringo': ringo!, client: client!, gateway },
      gatewayUrl: `http://${gateway.getHost()}:${gateway.getMappedPort(8080)}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
