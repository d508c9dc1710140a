import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Application } from './application';
import { Capacity } from './capacity';
import { Identity } from './identity';
import { LoadBalancer } from './load-balancer';
import { LogsAndSecrets } from './logs-and-secrets';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { Registry } from './registry';
import { Services } from './services';

/** `ping-pong-<environment>`: the stack's name, and its template's file name in cdk.out/. */
export const stackName = (environment: string) => `ping-pong-${environment}`;

/** One environment, from the network to the alarms, all read from its environment file and task definitions. */
export class EnvironmentStack extends Stack {
  readonly network: Network;
  readonly capacity: Capacity;
  readonly loadBalancer: LoadBalancer;
  readonly registry: Registry;
  readonly logsAndSecrets: LogsAndSecrets;
  readonly identity: Identity;
  readonly services: Services;
  readonly monitoring: Monitoring;

  constructor(
    scope: Construct,
    readonly application: Application,
    props: StackProps = {},
  ) {
    const { environment } = application;
    super(scope, stackName(environment.name), {
      ...props,
      stackName: stackName(environment.name),
      env: { account: environment.account, region: environment.region },
      description: `microservice-ping-pong ${environment.name}: network, cluster and capacity, load balancer, ECR, logs, roles, services and alarms (deploy/infra)`,
    });
    Tags.of(this).add('application', 'microservice-ping-pong');
    Tags.of(this).add('environment', environment.name);

    this.network = new Network(this, 'Network', application);
    this.capacity = new Capacity(this, 'Capacity', application, this.network);
    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', application, this.network);
    this.registry = new Registry(this, 'Registry', application);
    this.logsAndSecrets = new LogsAndSecrets(this, 'LogsAndSecrets', application);
    this.identity = new Identity(this, 'Identity', application, {
      repositories: this.registry.repositories,
      logGroups: this.logsAndSecrets.logGroups,
      parameterArns: this.logsAndSecrets.parameterArns,
    });
    this.services = new Services(this, 'Services', application, {
      capacity: this.capacity,
      loadBalancer: this.loadBalancer,
      identity: this.identity,
      logsAndSecrets: this.logsAndSecrets,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', application, this.loadBalancer, this.capacity);
  }

  /** The environment file's zones: no lookup at synth, so synth needs no credentials. */
  override get availabilityZones(): string[] {
    return this.application.environment.network.availabilityZones;
  }
}
