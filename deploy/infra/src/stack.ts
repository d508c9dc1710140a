import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { namePrefix } from '@ping-pong/deploy-config';
import type { StackInput } from './stack-input';
import { Capacity } from './capacity';
import { Identity } from './identity';
import { LoadBalancer } from './load-balancer';
import { LogsAndSecrets } from './logs-and-secrets';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { Registry } from './registry';
import { Services } from './services';

/** `ping-pong-<environment>`: the stack's name (and its template's file name in cdk.out/) is the prefix of every name in it. */
export const stackName = namePrefix;

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
    readonly input: StackInput,
    props: StackProps = {},
  ) {
    const { environment, taskDefinitions } = input;
    super(scope, stackName(environment.name), {
      ...props,
      stackName: stackName(environment.name),
      env: { account: environment.account, region: environment.region },
      description: `microservice-ping-pong ${environment.name}: network, cluster and capacity, load balancer, ECR, logs, roles, services and alarms (deploy/infra)`,
    });
    Tags.of(this).add('application', 'microservice-ping-pong');
    Tags.of(this).add('environment', environment.name);

    this.network = new Network(this, 'Network', { environment });
    this.capacity = new Capacity(this, 'Capacity', { environment, instanceType: input.sizing.instanceType, network: this.network });
    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      settings: environment.loadBalancer,
      names: environment,
      network: this.network,
    });
    this.registry = new Registry(this, 'Registry', {
      repositories: input.repositories,
      keepImages: environment.repositories.keepImages,
      replicateTo: input.replicas,
      acceptFrom: input.source,
      repositoryOwner: input.repositoryOwner,
    });
    this.logsAndSecrets = new LogsAndSecrets(this, 'LogsAndSecrets', {
      logGroups: input.logGroups,
      retentionDays: environment.logs.retentionDays,
      parameters: input.parameters,
    });
    this.identity = new Identity(this, 'Identity', {
      environment,
      taskDefinitions,
      repositories: this.registry.repositories,
      logGroups: this.logsAndSecrets.logGroups,
      parameterArns: this.logsAndSecrets.parameterArns,
    });
    this.services = new Services(this, 'Services', {
      environment,
      taskDefinitions,
      capacity: this.capacity,
      loadBalancer: this.loadBalancer,
      identity: this.identity,
      logsAndSecrets: this.logsAndSecrets,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', { environment, loadBalancer: this.loadBalancer, capacity: this.capacity });
  }

  /** The environment file's zones: no lookup at synth, so synth needs no credentials. */
  override get availabilityZones(): string[] {
    return this.input.environment.network.availabilityZones;
  }
}
