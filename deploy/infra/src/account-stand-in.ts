import type { AwsClients } from '@ping-pong/ecs-deploy';
import type { SynthesizedStack, Template } from './physical-names';

/**
 * The AWS accounts as the synthesized stacks would leave them, for the
 * rehearsal: what ECS, ECR and Application Auto Scaling would answer
 * `deploy:ecs` right after `infra:deploy` (services on their bootstrap
 * revision, the stacks' scaling) and a first push (images in the registries
 * the build pushes to, and wherever the stacks' replication rules and registry
 * policies would copy them). Everything comes from the templates, so a name
 * that differs between a stack and what deploy:ecs asks for fails here.
 */

type Properties = Record<string, unknown>;

/** A registry, `<account>/<region>`. */
const registryKey = (account: string, region: string) => `${account}/${region}`;

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}] as [string, Properties]);

/** The SDK calls of a template's AwsCustomResources: `[logical id, action, parameters]`. */
const sdkCalls = (template: Template) =>
  resourcesOf(template, 'Custom::AWS')
    .filter(([, properties]) => typeof properties.Create === 'string')
    .map(([id, properties]) => {
      const { action, parameters } = JSON.parse(properties.Create as string) as { action: string; parameters: Properties };
      return { id, action, parameters };
    });

/** An AWS error as the SDK throws it: deploy:ecs tells them apart by name. */
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });

interface Service {
  cluster: string;
  serviceName: string;
  family: string;
}

export class AccountStandIn {
  /** Repositories by registry, each with the tags it holds. */
  private readonly registries = new Map<string, Map<string, Set<string>>>();
  /** What a first push and the replication after it did and did not do, for the rehearsal's report. */
  readonly pushLog: { ok: boolean; line: string }[] = [];

  constructor(private readonly stacks: readonly SynthesizedStack[]) {
    for (const { account, region, template } of stacks) {
      const registry = this.registry(account, region);
      for (const [, properties] of resourcesOf(template, 'AWS::ECR::Repository'))
        registry.set(String(properties.RepositoryName), new Set());
    }
  }

  private registry(account: string, region: string): Map<string, Set<string>> {
    const key = registryKey(account, region);
    if (!this.registries.has(key)) this.registries.set(key, new Map());
    return this.registries.get(key)!;
  }

  /**
   * `docker push` of `tag` to each repository of a registry (a repository
   * must exist: ECR creates none on push), then ECR's replication from that
   * registry as the stacks configure it.
   */
  push(account: string, region: string, repositories: readonly string[], tag: string): void {
    const registry = this.registry(account, region);
    for (const repository of repositories) {
      const tags = registry.get(repository);
      if (!tags) {
        this.pushLog.push({
          ok: false,
          line: `push ${repository}:${tag} to ${account}, ${region}: no such repository (ECR creates none on push)`,
        });
        continue;
      }
      tags.add(tag);
      this.pushLog.push({ ok: true, line: `pushed ${repository}:${tag} to ${account}, ${region}` });
      this.replicate(account, region, repository, tag);
    }
  }

  /** What the source registry's replication configuration (one per registry) copies where, and whether the destination lets it. */
  private replicate(account: string, region: string, repository: string, tag: string): void {
    const source = this.stacks.filter((stack) => stack.account === account && stack.region === region);
    for (const { template } of source) {
      for (const [, properties] of resourcesOf(template, 'AWS::ECR::ReplicationConfiguration')) {
        const { Rules: rules = [] } = properties.ReplicationConfiguration as {
          Rules?: { Destinations: { Region: string; RegistryId: string }[]; RepositoryFilters?: { Filter: string }[] }[];
        };
        for (const rule of rules) {
          if (rule.RepositoryFilters && !rule.RepositoryFilters.some(({ Filter }) => repository.startsWith(Filter))) continue;
          for (const { Region: toRegion, RegistryId: toAccount } of rule.Destinations) {
            const refusal = this.replicationRefusal(account, toAccount, toRegion, repository);
            if (refusal) {
              this.pushLog.push({ ok: false, line: `replicate ${repository}:${tag} to ${toAccount}, ${toRegion}: ${refusal}` });
              continue;
            }
            const destination = this.registry(toAccount, toRegion);
            if (!destination.has(repository)) destination.set(repository, new Set());
            destination.get(repository)!.add(tag);
            this.pushLog.push({ ok: true, line: `replicated ${repository}:${tag} to ${toAccount}, ${toRegion}` });
          }
        }
      }
    }
  }

  /** Why ECR would not replicate into another account's registry: its registry policy must allow the source account. */
  private replicationRefusal(fromAccount: string, toAccount: string, toRegion: string, repository: string): string | undefined {
    if (fromAccount === toAccount) return undefined;
    const destination = this.stacks.filter((stack) => stack.account === toAccount && stack.region === toRegion);
    const exists = this.registry(toAccount, toRegion).has(repository);
    for (const { template } of destination) {
      const repositoryIds = new Map(
        resourcesOf(template, 'AWS::ECR::Repository').map(([id, properties]) => [id, String(properties.RepositoryName)]),
      );
      for (const [, properties] of resourcesOf(template, 'AWS::ECR::RegistryPolicy')) {
        const statements = (
          properties.PolicyText as { Statement: { Effect: string; Principal: { AWS: string }; Action: string[]; Resource: unknown[] }[] }
        ).Statement;
        const allows = statements.some(
          (statement) =>
            statement.Effect === 'Allow' &&
            statement.Principal.AWS.endsWith(`:iam::${fromAccount}:root`) &&
            statement.Action.includes('ecr:ReplicateImage') &&
            (exists || statement.Action.includes('ecr:CreateRepository')) &&
            statement.Resource.some(
              (resource) =>
                resource === '*' || repositoryIds.get((resource as { 'Fn::GetAtt'?: [string] })['Fn::GetAtt']?.[0] ?? '') === repository,
            ),
        );
        if (allows) return undefined;
      }
    }
    return `the registry policy of ${toAccount}, ${toRegion} does not let account ${fromAccount} replicate ${repository} (ecr:ReplicateImage${exists ? '' : ', ecr:CreateRepository'}): the image never arrives`;
  }

  private servicesIn(account: string, region: string): (Service & { template: Template })[] {
    return this.stacks
      .filter((stack) => stack.account === account && stack.region === region)
      .flatMap(({ template }) =>
        resourcesOf(template, 'AWS::ECS::Service').map(([, properties]) => ({
          cluster: String(properties.Cluster),
          serviceName: String(properties.ServiceName),
          family: String(properties.TaskDefinition),
          template,
        })),
      );
  }

  /** The revision a stack registered first for a family; the services run it until the first deploy. */
  private bootstrapRevision(account: string, region: string, family: string): Properties | undefined {
    for (const stack of this.stacks.filter((candidate) => candidate.account === account && candidate.region === region)) {
      const call = sdkCalls(stack.template).find(
        ({ action, parameters }) => action === 'registerTaskDefinition' && parameters.family === family,
      );
      if (call) return call.parameters;
    }
    return undefined;
  }

  private answer(account: string, region: string, command: string, input: Properties): Properties {
    const revisionArn = (family: string) => `arn:aws:ecs:${region}:${account}:task-definition/${family}:1`;
    switch (command) {
      case 'DescribeServicesCommand': {
        const services = this.servicesIn(account, region).filter(({ cluster }) => cluster === input.cluster);
        const names = input.services as string[];
        const found = names.flatMap((name) => services.filter(({ serviceName }) => serviceName === name));
        return {
          services: found.map(({ serviceName, family }) => {
            const deployment = {
              id: `ecs-svc/${serviceName}`,
              status: 'PRIMARY',
              rolloutState: 'COMPLETED',
              taskDefinition: revisionArn(family),
            };
            return {
              serviceName,
              status: 'ACTIVE',
              taskDefinition: revisionArn(family),
              deploymentController: { type: 'ECS' },
              deployments: [deployment],
              events: [],
            };
          }),
          failures: names
            .filter((name) => !found.some(({ serviceName }) => serviceName === name))
            .map((name) => ({ arn: `arn:aws:ecs:${region}:${account}:service/${String(input.cluster)}/${name}`, reason: 'MISSING' })),
        };
      }
      case 'DescribeTaskDefinitionCommand': {
        const [family, revision] = String(input.taskDefinition).split('/').pop()!.split(':');
        const registered = this.bootstrapRevision(account, region, family!);
        if (!registered || revision !== '1')
          throw awsError('ClientException', `Unable to describe task definition ${String(input.taskDefinition)}.`);
        return { taskDefinition: { ...registered, taskDefinitionArn: revisionArn(family!), revision: 1, status: 'ACTIVE' } };
      }
      case 'DescribeImagesCommand': {
        const repository = this.registry(String(input.registryId), region).get(String(input.repositoryName));
        if (!repository) throw awsError('RepositoryNotFoundException', `The repository ${String(input.repositoryName)} does not exist.`);
        const [wanted] = input.imageIds as { imageTag?: string; imageDigest?: string }[];
        if (wanted?.imageTag !== undefined && !repository.has(wanted.imageTag))
          throw awsError('ImageNotFoundException', 'The image does not exist.');
        return { imageDetails: [{ repositoryName: input.repositoryName, imageTags: [...repository] }] };
      }
      case 'DescribeScalableTargetsCommand': {
        const targets = this.scalingIn(account, region).filter(({ properties }) =>
          (input.ResourceIds as string[]).includes(String(properties.ResourceId)),
        );
        return { ScalableTargets: targets.map(({ properties }) => properties) };
      }
      case 'DescribeScalingPoliciesCommand': {
        const target = this.scalingIn(account, region).find(({ properties }) => properties.ResourceId === input.ResourceId);
        return { ScalingPolicies: target?.policies ?? [] };
      }
      default:
        throw awsError(
          'RehearsalStandInError',
          `the rehearsal's stand-in for AWS does not answer ${command}: teach deploy/infra/src/account-stand-in.ts`,
        );
    }
  }

  /** The scalable targets the stacks of a region register, each with its scaling policies. */
  private scalingIn(account: string, region: string) {
    return this.stacks
      .filter((stack) => stack.account === account && stack.region === region)
      .flatMap(({ template }) =>
        resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([id, properties]) => ({
          properties,
          policies: resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')
            .filter(([, policy]) => (policy.ScalingTargetId as { Ref?: string }).Ref === id)
            .map(([, policy]) => policy),
        })),
      );
  }

  /**
   * deploy:ecs's clients for one account, answered from the stand-in: the
   * real SDK clients, with the request answered before it is signed or sent.
   */
  clientsFor(account: string, region: string, create: (region: string) => AwsClients): AwsClients {
    const clients = create(region);
    const standIn = (_next: unknown, context: { commandName?: string }) => async (args: { input: object }) => ({
      output: { $metadata: {}, ...this.answer(account, region, String(context.commandName), args.input as Properties) },
      response: {},
    });
    // One middleware for three clients whose stacks are typed apart: it never calls the next step, so no request leaves.
    const options = { step: 'initialize', name: 'rehearsalStandIn' } as const;
    clients.ecs.middlewareStack.add(standIn as never, options);
    clients.ecr.middlewareStack.add(standIn as never, options);
    clients.scaling.middlewareStack.add(standIn as never, options);
    return clients;
  }
}
