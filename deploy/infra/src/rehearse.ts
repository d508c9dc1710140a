import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { displayPath, environmentNames, type Environment } from '@ping-pong/deploy-config';
import { createAwsClients, main as deployEcs, systemClock } from '@ping-pong/ecs-deploy';
import { ConfigError } from '@ping-pong/tooling';
import { AccountStandIn } from './account-stand-in';
import { buildCdkApp } from './cdk-app';
import { nameCollisions, type SynthesizedStack, type Template } from './physical-names';
import { SERVICE_LINKED_ROLES } from './preflight';
import { stackName } from './stack';
import { loadStackInput, type StackInput } from './stack-input';

/**
 * `npm run infra:rehearse`: deploy/README.md's "From an empty AWS account",
 * steps 1 to 5, walked offline. It synthesizes every stack as infra:deploy
 * would, checks what only holds across stacks (no name taken twice,
 * replication and the registry policy that lets it in, the order the stacks
 * must be created in), pushes a first image into a stand-in of the accounts
 * built from the templates, runs the first `deploy:ecs --dry-run` of every
 * environment against it, and prints what a user must still do by hand.
 * Nothing calls AWS.
 */

const USAGE = 'usage: npm run infra:rehearse [-- --assembly <cdk.out directory>] [--tag <tag>]';
/** The tag the rehearsal pushes and deploys: any valid one does, nothing is built. */
const DEFAULT_TAG = 'git-rehearsal0';

export const ExitCode = { passed: 0, failed: 1, badInput: 2 } as const;

export interface RehearsalOptions {
  /** A cloud assembly holding every environment's template (`infra:synth`'s cdk.out); synthesized afresh when absent. */
  assembly?: string;
  tag?: string;
}

export interface RehearsalDependencies {
  output: { info(line: string): void; error(line: string): void };
}

interface Stacks {
  inputs: StackInput[];
  synthesized: SynthesizedStack[];
}

function readStacks(assembly: string, inputs: readonly StackInput[]): SynthesizedStack[] {
  return inputs.map(({ environment: { name, account, region } }) => ({
    stackName: stackName(name),
    account,
    region,
    template: JSON.parse(readFileSync(path.join(assembly, `${stackName(name)}.template.json`), 'utf8')) as Template,
  }));
}

/** Synthesizes as infra:synth does (feature flags, cdk-nag with the acknowledgements) into a directory it removes after. */
function synthesize(inputs: readonly StackInput[]): SynthesizedStack[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'infra-rehearsal-'));
  try {
    buildCdkApp({ outdir }).app.synth();
    return readStacks(outdir, inputs);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One finding of the rehearsal: a check that held, or one that did not. */
interface Finding {
  ok: boolean;
  line: string;
}

const typesIn = (template: Template, type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);

/** What holds only across stacks: replication and the policy that lets it in, shared registries, the OIDC provider. */
function crossStackFindings({ inputs, synthesized }: Stacks): { findings: Finding[]; order: string[] } {
  const findings: Finding[] = [...nameCollisions(synthesized).map((line) => ({ ok: false, line }))];
  if (findings.length === 0)
    findings.push({ ok: true, line: 'no name is taken twice in one account (IAM) or one account and region (the rest)' });
  const order: string[] = [];
  const templateOf = (environment: Environment) => synthesized.find((stack) => stack.stackName === stackName(environment.name))!.template;

  for (const { environment, source, repositoryOwner, repositories } of inputs) {
    if (repositoryOwner) {
      const owned = typesIn(templateOf(repositoryOwner), 'AWS::ECR::Repository').map(({ Properties }) => Properties?.RepositoryName);
      const missing = repositories.filter((repository) => !owned.includes(repository));
      findings.push(
        missing.length === 0
          ? {
              ok: true,
              line: `${environment.name} pulls from ${repositoryOwner.name}'s repositories in the registry they share: nothing to replicate`,
            }
          : { ok: false, line: `${environment.name} pulls ${missing.join(', ')}, which ${repositoryOwner.name}'s stack does not create` },
      );
    } else if (source) {
      const rules = typesIn(templateOf(source), 'AWS::ECR::ReplicationConfiguration').flatMap(
        ({ Properties }) =>
          (
            Properties?.ReplicationConfiguration as {
              Rules: { Destinations: { Region: string; RegistryId: string }[]; RepositoryFilters: { Filter: string }[] }[];
            }
          ).Rules,
      );
      for (const repository of repositories) {
        const replicated = rules.some(
          (rule) =>
            rule.Destinations.some(({ Region, RegistryId }) => Region === environment.region && RegistryId === environment.account) &&
            rule.RepositoryFilters.some(({ Filter }) => repository.startsWith(Filter)),
        );
        findings.push({
          ok: replicated,
          line: `${source.name}'s registry ${replicated ? 'replicates' : 'does not replicate'} ${repository} to ${environment.name}'s (${environment.account}, ${environment.region})`,
        });
      }
      if (source.account !== environment.account) {
        const policies = typesIn(templateOf(environment), 'AWS::ECR::RegistryPolicy');
        const accepts = JSON.stringify(policies).includes(`:iam::${source.account}:root`);
        findings.push({
          ok: accepts,
          line: `${environment.name}'s registry policy ${accepts ? 'lets' : 'does not let'} ${source.name}'s account ${source.account} replicate in (ecr:CreateRepository, ecr:ReplicateImage)`,
        });
        order.push(
          `create ${stackName(environment.name)} before the first push to ${source.name}'s registry: ECR replicates only what is pushed once its registry policy exists`,
        );
      }
    }
    if (environment.github.oidcProvider === 'existing') {
      const creator = inputs.find(
        ({ environment: other }) => other.account === environment.account && other.github.oidcProvider === 'create',
      );
      order.push(
        creator
          ? `create ${stackName(creator.environment.name)} before ${stackName(environment.name)}: it creates the GitHub OIDC provider of account ${environment.account}`
          : `account ${environment.account} must already have the GitHub OIDC provider for token.actions.githubusercontent.com (github.oidcProvider is "existing")`,
      );
    }
  }
  return { findings, order };
}

/** `https://<DNS name of load balancer ping-pong-production>`: the stack's Url output, its DNS name a placeholder. */
function urlOf(stack: SynthesizedStack, environment: Environment): string {
  const scheme = environment.loadBalancer.listener.protocol.toLowerCase();
  const host = `<DNS name of load balancer ${environment.loadBalancerName}>`;
  const port =
    environment.loadBalancer.listener.port === (scheme === 'https' ? 443 : 80) ? '' : `:${environment.loadBalancer.listener.port}`;
  const hasOutput = Boolean((stack.template as Template & { Outputs?: Record<string, unknown> }).Outputs?.Url);
  return hasOutput ? `${scheme}://${host}${port}` : `(no Url output in ${stack.stackName})`;
}

/** What no offline check can do: each with the file value it depends on, flagged while it is still the committed example. */
function manualChecklist(inputs: readonly StackInput[]): string[] {
  const lines: string[] = [];
  const example = (isExample: boolean) => (isExample ? ' (still the committed example: set yours)' : '');
  for (const { environment, parameters } of inputs) {
    const file = displayPath(environment.file);
    lines.push(
      `${environment.name}: credentials with administrator rights in account ${environment.account} (${file}: account), region ${environment.region}`,
    );
    const { listener } = environment.loadBalancer;
    if (listener.protocol === 'HTTPS') {
      lines.push(
        `${environment.name}: an ACM certificate for your domain, ISSUED, in ${environment.region}: ${listener.certificateArn}${example(/\/0{8}-0{4}-/.test(listener.certificateArn))}; infra:deploy checks it, then point the domain (CNAME or alias) at the load balancer`,
      );
    }
    const { repository, deploysFrom } = environment.github;
    const trigger =
      'environment' in deploysFrom
        ? `GitHub environment "${deploysFrom.environment}" (with its required reviewers)`
        : `branch ${deploysFrom.branch}`;
    lines.push(`${environment.name}: GitHub ${repository}${example(repository.startsWith('YOUR-ORG/'))} deploys from its ${trigger}`);
    lines.push(
      `${environment.name}: confirm the SNS subscription mailed to ${environment.alarms.email}${example(environment.alarms.email.endsWith('@example.com'))}`,
    );
    for (const parameter of parameters)
      lines.push(`${environment.name}: the real value of ${parameter} (aws ssm put-parameter --overwrite)`);
  }
  return lines;
}

export async function rehearse(options: RehearsalOptions, { output }: RehearsalDependencies): Promise<number> {
  const tag = options.tag ?? DEFAULT_TAG;
  const findings: Finding[] = [];
  const report = (finding: Finding) => {
    findings.push(finding);
    (finding.ok ? output.info : output.error)(`   ${finding.ok ? 'ok    ' : 'FAILED'} ${finding.line}`);
  };

  let inputs: StackInput[];
  try {
    // The order of the pipeline: an environment after the one it is promoted from.
    const depth = (input: StackInput): number =>
      input.source ? 1 + depth(inputs.find(({ environment }) => environment.name === input.source!.name)!) : 0;
    inputs = environmentNames().map((name) => loadStackInput(name));
    inputs.sort((a, b) => depth(a) - depth(b));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) output.error(problem);
    return ExitCode.badInput;
  }
  const environments = inputs.map(({ environment }) => environment);
  output.info(
    `Rehearsal of deploy/README.md, "From an empty AWS account", for ${environments.map(({ name }) => name).join(', ')}: offline, nothing calls AWS.`,
  );

  output.info('1. Bootstrap CDK and the service-linked roles (npm run infra:bootstrap)');
  for (const { name, account, region } of environments) {
    output.info(
      `   ${name}: cdk bootstrap aws://${account}/${region}; ${SERVICE_LINKED_ROLES.map(({ role }) => role).join(', ')} in account ${account}`,
    );
  }

  const startedAt = Date.now();
  const synthesized = options.assembly ? readStacks(options.assembly, inputs) : synthesize(inputs);
  output.info(
    `2. Create the stacks (npm run infra:deploy): ${synthesized.map(({ stackName: name }) => name).join(', ')} ${options.assembly ? `read from ${options.assembly}` : `synthesized with cdk-nag in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`}`,
  );
  const { findings: crossStack, order } = crossStackFindings({ inputs, synthesized });
  crossStack.forEach(report);
  for (const line of order) output.info(`   order  ${line}`);

  const standIn = new AccountStandIn(synthesized);
  output.info(`3. Push the first images, tagged ${tag}, to the registries the pipeline pushes to`);
  for (const { environment, repositories } of inputs.filter(({ environment: candidate }) => !candidate.promotedFrom)) {
    standIn.push(environment.account, environment.region, repositories, tag);
  }
  standIn.pushLog.forEach(report);

  output.info(
    `4. Deploy the services: npm run deploy:ecs -- --env <name> --tag ${tag} --dry-run, against the accounts as the stacks leave them`,
  );
  for (const environment of environments) {
    const lines: string[] = [];
    const problems: string[] = [];
    const code = await deployEcs(['--env', environment.name, '--tag', tag, '--dry-run'], {
      env: {},
      gitCommit: () => {
        throw new Error('the rehearsal passes --tag');
      },
      createClients: (region) => standIn.clientsFor(environment.account, region, createAwsClients),
      clock: systemClock,
      output: { info: (line) => lines.push(line), error: (line) => problems.push(line) },
    });
    for (const line of lines) output.info(`     | ${line}`);
    for (const line of problems) output.error(`     | ${line}`);
    report({
      ok: code === 0 && problems.length === 0,
      line: `${environment.name}: deploy:ecs --dry-run exited ${code}${problems.length > 0 ? ` with ${problems.length} problem(s) or warning(s)` : ', no warning'}`,
    });
  }

  output.info('5. Open the URL (the stack prints it as its Url output)');
  for (const environment of environments) {
    const stack = synthesized.find(({ stackName: name }) => name === stackName(environment.name))!;
    output.info(`   ${environment.name}: ${urlOf(stack, environment)}`);
  }

  output.info('By hand (no offline check can do these):');
  for (const line of manualChecklist(inputs)) output.info(`   [ ] ${line}`);

  const failed = findings.filter(({ ok }) => !ok).length;
  const verdict = failed === 0 ? `passed: ${findings.length} checks` : `FAILED: ${failed} of ${findings.length} checks`;
  (failed === 0 ? output.info : output.error)(
    `The rehearsal ${verdict}. What it proves and what only a real account can: deploy/README.md, "What the rehearsal proves".`,
  );
  return failed === 0 ? ExitCode.passed : ExitCode.failed;
}

export async function main(argv: readonly string[], dependencies: RehearsalDependencies): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { assembly: { type: 'string' }, tag: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    dependencies.output.error((error as Error).message);
    dependencies.output.error(USAGE);
    return ExitCode.badInput;
  }
  if (values.help) {
    dependencies.output.info(USAGE);
    return ExitCode.passed;
  }
  return rehearse({ assembly: values.assembly, tag: values.tag }, dependencies);
}

if (require.main === module) {
  void main(process.argv.slice(2), { output: { info: (line) => console.log(line), error: (line) => console.error(line) } }).then((code) => {
    process.exitCode = code;
  });
}
