import { randomBytes } from 'node:crypto';
import { down, EcsAgent, ensureImages, EXAMPLE_SECRETS_FILE, LocalLoadBalancer, planEnvironment } from '@ping-pong/ecs-local';
import Docker from 'dockerode';

export const NODE_SERVICE = 'microservice-ping-pong-node-service';

/**
 * production's task definitions, run by ecs:local's own code with one task per
 * service, under an instance name of its own so nothing else on the engine is touched.
 */
export class EcsLocalStack {
  readonly docker = new Docker();
  readonly instance = `e2e-${randomBytes(3).toString('hex')}`;
  loadBalancer: LocalLoadBalancer | undefined;
  agent: EcsAgent | undefined;
  readonly log: string[] = [];
  /** Where the agent's lines also go, e.g. to a `down` waiting on a foreground `up`. */
  relay: ((line: string) => void) | undefined;

  /** The load balancer and the agent, as `up` starts them, with every service's task in service. */
  async start(): Promise<{ loadBalancer: LocalLoadBalancer; agent: EcsAgent }> {
    const plan = planEnvironment({
      environment: 'production',
      instance: this.instance,
      secretsFile: EXAMPLE_SECRETS_FILE,
      desiredCount: 1,
    });
    const log = (line: string) => {
      this.log.push(line);
      this.relay?.(line);
    };
    await ensureImages(this.docker, plan.images, { instance: this.instance, rebuild: false, log });
    const loadBalancer = (this.loadBalancer = await LocalLoadBalancer.start(this.docker, plan.instance, plan.environment.loadBalancer, {
      log,
    }));
    const agent = (this.agent = await EcsAgent.start(this.docker, plan, { loadBalancer, log }));
    await agent.startServices();
    return { loadBalancer, agent };
  }

  /** Everything labelled with this instance goes, whatever state the run left it in. */
  async remove(): Promise<void> {
    this.agent?.close();
    this.loadBalancer?.close();
    await down(this.docker, this.instance);
  }
}
