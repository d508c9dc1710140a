import { randomBytes } from 'node:crypto';
import { down, ensureImages, EXAMPLE_SECRETS_FILE, LocalCluster, planEnvironment } from '@ping-pong/ecs-local';
import Docker from 'dockerode';

export const NODE_SERVICE = 'microservice-ping-pong-node-service';

/**
 * production's task definitions, run by ecs:local's own code with one task per
 * service, under an instance name of its own so nothing else on the engine is touched.
 */
export class EcsLocalStack {
  readonly docker = new Docker();
  readonly instance = `e2e-${randomBytes(3).toString('hex')}`;
  cluster: LocalCluster | undefined;
  readonly log: string[] = [];
  /** Where the cluster's lines also go, e.g. to a `down` waiting on a foreground agent. */
  relay: ((line: string) => void) | undefined;

  async start(): Promise<LocalCluster> {
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
    this.cluster = await LocalCluster.create(this.docker, plan, { log });
    await this.cluster.startServices();
    return this.cluster;
  }

  /** Everything labelled with this instance goes, whatever state the run left it in. */
  async remove(): Promise<void> {
    this.cluster?.close();
    await down(this.docker, this.instance);
  }
}
