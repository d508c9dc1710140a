/**
 * The names a synthesized template gives its resources in AWS, and where two
 * stacks would take the same one. CloudFormation finds such a clash only when
 * it creates the second resource, halfway through a deploy; this finds it in
 * the templates, before anything runs.
 */

/** What a template's resource looks like here. */
interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface Template {
  Resources: Record<string, TemplateResource>;
}

/** One name one resource takes: unique per account (IAM, dashboards) or per account and region (the rest). */
export interface PhysicalName {
  scope: 'account' | 'region';
  /** The resource type, and for a name unique only within a parent, the parent (`AWS::ECS::Service in ping-pong-staging`). */
  kind: string;
  name: string;
  /** The logical id that takes it. */
  resource: string;
}

/** Types whose names AWS keeps unique across an account's regions. */
const ACCOUNT_WIDE = /^AWS::IAM::|^AWS::CloudWatch::Dashboard$/;
/** `…Name` properties that name something else than the resource (a metric) or need not be unique (a label, an inline policy). */
const NOT_UNIQUE = new Set(['DisplayName', 'PolicyName', 'MetricName']);
/** One per registry (account and region): a second stack's would replace the first's. */
const SINGLETONS = new Set(['AWS::ECR::RegistryPolicy', 'AWS::ECR::ReplicationConfiguration']);

/** The names the SDK calls of AwsCustomResources create: revisions of a family, SSM parameters. */
function customResourceName(properties: Record<string, unknown>): { kind: string; name: string } | undefined {
  if (typeof properties.Create !== 'string') return undefined;
  const { action, parameters } = JSON.parse(properties.Create) as { action: string; parameters: Record<string, unknown> };
  if (action === 'registerTaskDefinition') return { kind: 'ECS task-definition family', name: String(parameters.family) };
  if (action === 'putParameter') return { kind: 'SSM parameter', name: String(parameters.Name) };
  return undefined;
}

export function physicalNames(template: Template): PhysicalName[] {
  const names: PhysicalName[] = [];
  for (const [resource, { Type, Properties = {} }] of Object.entries(template.Resources)) {
    const scope = ACCOUNT_WIDE.test(Type) ? 'account' : 'region';
    if (SINGLETONS.has(Type)) names.push({ scope, kind: Type, name: "the registry's one", resource });
    if (Type === 'AWS::IAM::OIDCProvider' && typeof Properties.Url === 'string')
      names.push({ scope, kind: Type, name: Properties.Url, resource });
    if (Type === 'Custom::AWS') {
      const named = customResourceName(Properties);
      if (named) names.push({ scope, ...named, resource });
      continue;
    }
    for (const [key, value] of Object.entries(Properties)) {
      if (!key.endsWith('Name') || NOT_UNIQUE.has(key) || typeof value !== 'string') continue;
      const kind = Type === 'AWS::ECS::Service' ? `${Type} in ${JSON.stringify(Properties.Cluster)}` : Type;
      names.push({ scope, kind, name: value, resource });
    }
  }
  return names;
}

export interface SynthesizedStack {
  stackName: string;
  account: string;
  region: string;
  template: Template;
}

/** Every name two or more of the stacks would take in the same account (and region, where that is the scope). */
export function nameCollisions(stacks: readonly SynthesizedStack[]): string[] {
  const takers = new Map<string, string[]>();
  for (const { stackName, account, region, template } of stacks) {
    for (const { scope, kind, name, resource } of physicalNames(template)) {
      const where = scope === 'account' ? `account ${account}` : `account ${account}, ${region}`;
      const key = `${kind} "${name}" (${where})`;
      takers.set(key, [...(takers.get(key) ?? []), `${stackName}/${resource}`]);
    }
  }
  return [...takers]
    .filter(([, resources]) => new Set(resources.map((resource) => resource.split('/')[0])).size > 1)
    .map(([key, resources]) => `${key}: taken by ${resources.join(' and ')}`);
}
