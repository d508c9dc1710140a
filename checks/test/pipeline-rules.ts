import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { displayPath, type Environment, environmentNames, IMAGE_BUILDS, loadEnvironment } from '@ping-pong/deploy-config';
import { REPO_ROOT } from '@ping-pong/tooling';
import { parse } from 'yaml';

/*
 * The rules the delivery pipeline must keep (docs/pipeline.md),
 * checked on the parsed workflow files. Each rule returns problems as
 * `<file>: <where>: <problem>`; workflows.test.ts expects none for the real
 * files and one for each broken copy it makes.
 */

const WORKFLOWS_DIR = path.join(REPO_ROOT, '.github', 'workflows');

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean | string;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: Step[];
  'continue-on-error'?: boolean | string;
}

export interface Workflow {
  /** Relative to the repository root, for messages. */
  file: string;
  /** The raw text: version comments are not in the parsed YAML. */
  text: string;
  on: Record<string, unknown> | string | string[];
  permissions?: Record<string, string> | string;
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  jobs: Record<string, Job>;
}

export function readWorkflows(directory = WORKFLOWS_DIR): Workflow[] {
  return readdirSync(directory)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const file = path.join(directory, name);
      const text = readFileSync(file, 'utf8');
      return { ...(parse(text) as Omit<Workflow, 'file' | 'text'>), file: displayPath(file), text };
    });
}

/** Every environment file, as deploy:ecs reads it. */
export function readEnvironments(): Environment[] {
  return environmentNames().map((name) => loadEnvironment(name));
}

const THE_MAIN_PUSH = /^github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'$/;
const STATUS_FUNCTION = /\b(always|failure|cancelled|success)\(\)/;
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
const BUILDS_IMAGES = /\bdocker (buildx |image )?(build|push)\b|\bdocker buildx\b|\bdocker login\b/;

const steps = (job: Job): Step[] => job.steps ?? [];
const runs = (job: Job, pattern: RegExp) => steps(job).some((step) => pattern.test(step.run ?? ''));
const usesAction = (step: Step, action: string) => (step.uses ?? '').startsWith(`${action}@`);
const credentialsStep = (job: Job) => steps(job).findIndex((step) => usesAction(step, 'aws-actions/configure-aws-credentials'));
const holdsAwsCredentials = (job: Job) => credentialsStep(job) !== -1;
const buildsImages = (job: Job) =>
  steps(job).some(
    (step) =>
      usesAction(step, 'docker/build-push-action') || usesAction(step, 'docker/setup-buildx-action') || BUILDS_IMAGES.test(step.run ?? ''),
  );
const testsCode = (job: Job) => runs(job, /\bnpm (test|run test:e2e)\b/);
const needsOf = (job: Job) => [job.needs ?? []].flat();
const environmentOf = (job: Job) => (typeof job.environment === 'string' ? job.environment : job.environment?.name);
const concurrencyOf = (owner: { concurrency?: Job['concurrency'] }) =>
  typeof owner.concurrency === 'string' ? { group: owner.concurrency, 'cancel-in-progress': undefined } : owner.concurrency;

/** Every job `id` waits for, directly or through other jobs. */
function transitiveNeeds(workflow: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const needed of needsOf(workflow.jobs[id] ?? {})) {
    if (seen.has(needed)) continue;
    seen.add(needed);
    transitiveNeeds(workflow, needed, seen);
  }
  return seen;
}

/** The job that runs `npm run deploy:ecs -- --env <name>`, by id. */
function deployJobs(workflow: Workflow): Map<string, string> {
  const byEnvironment = new Map<string, string>();
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job)) {
      const environment = /npm run deploy:ecs -- --env (\S+)/.exec(step.run ?? '')?.[1];
      if (environment) byEnvironment.set(environment, id);
    }
  }
  return byEnvironment;
}

/** The job that runs `npm run --silent deploy:target`, and the expressions by which other jobs read its outputs. */
function targetOutputs(workflow: Workflow) {
  const id = Object.entries(workflow.jobs).find(([, job]) => runs(job, /\bnpm run --silent deploy:target\b/))?.[0];
  return {
    id,
    tag: `\${{ needs.${id}.outputs.tag }}`,
    of: (environment: string, key: string) => `\${{ fromJSON(needs.${id}.outputs.${environment}).${key} }}`,
  };
}

/** The env a step sees: the job's, overridden by the step's. */
const envOf = (job: Job, step: Step) => ({ ...job.env, ...step.env });

type Rule = (workflow: Workflow, environments: Environment[]) => string[];

/** Every `uses:` is a full commit SHA, with the version it stands for in a comment. */
const pinnedActions: Rule = (workflow) => {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const references = [job.uses, ...steps(job).map((step) => step.uses)].filter((uses): uses is string => uses !== undefined);
    for (const uses of references) {
      if (!uses.startsWith('./') && !PINNED.test(uses))
        problems.push(`${workflow.file}: jobs.${id}: ${uses} is not pinned to a full commit SHA`);
    }
  }
  workflow.text.split('\n').forEach((line, index) => {
    const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (uses && !uses[1]!.startsWith('./') && !/^\s+# v\d+(\.\d+)*\s*$/.test(uses[2]!))
      problems.push(`${workflow.file}:${index + 1}: ${uses[1]} has no "# v<version>" comment`);
  });
  return problems;
};

/** Nothing by default; each job states its permissions; only jobs that assume an AWS role get an OIDC token. */
const leastPrivilege: Rule = (workflow) => {
  const problems: string[] = [];
  const readOnly = (permissions: Record<string, string> | string | undefined) =>
    typeof permissions === 'object' && Object.values(permissions).every((level) => level === 'read' || level === 'none');
  if (!readOnly(workflow.permissions)) problems.push(`${workflow.file}: permissions: must be {} or read-only at the top`);
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (typeof job.permissions !== 'object') {
      problems.push(`${workflow.file}: jobs.${id}.permissions: missing (every job states what it needs)`);
      continue;
    }
    const { 'id-token': idToken, ...rest } = job.permissions;
    if (!readOnly(rest)) problems.push(`${workflow.file}: jobs.${id}.permissions: only id-token may be write`);
    if (idToken === 'write' && !holdsAwsCredentials(job))
      problems.push(`${workflow.file}: jobs.${id}.permissions: id-token: write in a job that assumes no AWS role`);
    if (idToken !== 'write' && holdsAwsCredentials(job))
      problems.push(`${workflow.file}: jobs.${id}.permissions: assumes an AWS role without id-token: write`);
  }
  return problems;
};

/**
 * In a job that holds AWS credentials, dependencies are installed before the
 * credentials exist and without install scripts: a script could otherwise
 * read them, or leave a process behind that reads them later.
 */
const installBeforeCredentials: Rule = (workflow) => {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const credentials = credentialsStep(job);
    if (credentials === -1) continue;
    steps(job).forEach((step, index) => {
      const run = step.run ?? '';
      const where = `${workflow.file}: jobs.${id}.steps[${index}]`;
      if (/\bnpm (ci|install|i|add)\b/.test(run)) {
        if (!run.includes('--ignore-scripts'))
          problems.push(`${where}: npm installs without --ignore-scripts in a job with AWS credentials`);
        if (index > credentials) problems.push(`${where}: npm installs after the AWS credentials step`);
      }
      if (/\bnpx\b|\bnpm exec\b/.test(run)) problems.push(`${where}: npx may install and run packages in a job with AWS credentials`);
    });
  }
  return problems;
};

/**
 * The gate: every job with AWS credentials waits, directly or not, for every
 * job that runs the tests, in the same run (the same commit), and none of it
 * can be skipped or ignored on the way.
 */
const gate: Rule = (workflow) => {
  const problems: string[] = [];
  const testJobs = Object.entries(workflow.jobs).filter(([, job]) => testsCode(job));
  const credentialJobs = Object.entries(workflow.jobs).filter(([, job]) => holdsAwsCredentials(job));
  if (credentialJobs.length === 0) return [];
  const triggers = typeof workflow.on === 'object' && !Array.isArray(workflow.on) ? Object.keys(workflow.on) : [workflow.on].flat();
  for (const trigger of triggers.filter((name) => ['workflow_run', 'pull_request_target', 'workflow_dispatch'].includes(name)))
    problems.push(`${workflow.file}: on.${trigger}: a job with AWS credentials must run only on a push CI gates in the same run`);
  if (testJobs.length === 0) problems.push(`${workflow.file}: no job runs npm test: nothing gates the deploy`);
  for (const [id, job] of testJobs) {
    if (job.if) problems.push(`${workflow.file}: jobs.${id}.if: the tests must run on every push`);
    if (job['continue-on-error'] || steps(job).some((step) => step['continue-on-error']))
      problems.push(`${workflow.file}: jobs.${id}: continue-on-error lets a failed test pass the gate`);
  }
  for (const [id, job] of credentialJobs) {
    const waitsFor = transitiveNeeds(workflow, id);
    for (const [testId] of testJobs)
      if (!waitsFor.has(testId)) problems.push(`${workflow.file}: jobs.${id}.needs: does not wait for ${testId}, which runs the tests`);
    if (!THE_MAIN_PUSH.test(job.if ?? ''))
      problems.push(`${workflow.file}: jobs.${id}.if: must be exactly github.event_name == 'push' && github.ref == 'refs/heads/main'`);
    if (STATUS_FUNCTION.test(job.if ?? ''))
      problems.push(`${workflow.file}: jobs.${id}.if: a status function would run it after a failure`);
    for (const step of steps(job).filter((candidate) => usesAction(candidate, 'actions/checkout')))
      if (step.with?.ref !== undefined) problems.push(`${workflow.file}: jobs.${id}: checks out a ref other than the tested commit`);
  }
  return problems;
};

/**
 * One deploy job per environment file, in promotion order, each with its own
 * concurrency group that never cancels, trusted by GitHub as the file says,
 * deploying the one tag, with the role and region derived from the file.
 */
const deployOrder: Rule = (workflow, environments) => {
  const deploys = deployJobs(workflow);
  if (deploys.size === 0) return [];
  const problems: string[] = [];
  const target = targetOutputs(workflow);
  if (!target.id)
    problems.push(`${workflow.file}: no job runs npm run --silent deploy:target: tag, role and region must come from the files`);
  for (const environment of environments) {
    const id = deploys.get(environment.name);
    if (!id) {
      problems.push(`${workflow.file}: no job runs npm run deploy:ecs -- --env ${environment.name}`);
      continue;
    }
    const job = workflow.jobs[id]!;
    const where = `${workflow.file}: jobs.${id}`;
    if (environment.promotedFrom) {
      const from = deploys.get(environment.promotedFrom);
      if (!from || !transitiveNeeds(workflow, id).has(from))
        problems.push(`${where}.needs: ${environment.name} is promoted from ${environment.promotedFrom}, so it must wait for its deploy`);
    }
    const { deploysFrom } = environment.github;
    if ('environment' in deploysFrom && environmentOf(job) !== deploysFrom.environment)
      problems.push(`${where}.environment: must be ${deploysFrom.environment} (${environment.file} trusts only that GitHub environment)`);
    if (
      'branch' in deploysFrom &&
      (environmentOf(job) !== undefined || !(job.if ?? '').includes(`github.ref == 'refs/heads/${deploysFrom.branch}'`))
    )
      problems.push(`${where}: must run on branch ${deploysFrom.branch} without a GitHub environment, as ${environment.file} says`);
    const concurrency = concurrencyOf(job);
    if (concurrency?.group !== `deploy-${environment.name}` || concurrency['cancel-in-progress'] !== false)
      problems.push(`${where}.concurrency: must be group deploy-${environment.name} with cancel-in-progress: false`);
    const deployStep = steps(job).find((step) => (step.run ?? '').includes(`deploy:ecs -- --env ${environment.name}`))!;
    if (!/--tag "\$TAG"$/.test(deployStep.run!.trim()) || envOf(job, deployStep).TAG !== target.tag)
      problems.push(`${where}: must deploy --tag "$TAG" with TAG: ${target.tag}, the tag the build job pushed`);
    const credentials = steps(job)[credentialsStep(job)];
    if (
      credentials?.with?.['role-to-assume'] !== target.of(environment.name, 'deployRoleArn') ||
      credentials.with['aws-region'] !== target.of(environment.name, 'region')
    )
      problems.push(`${where}: the role and region must be ${environment.name}'s, from deploy:target`);
  }
  return problems;
};

/**
 * Images are built in exactly one job, each once, from the Dockerfile ecs:local
 * builds it from, tagged with the commit's tag in the registry of the
 * environment the others are promoted from. No deploy job builds or pushes.
 */
const buildOnce: Rule = (workflow, environments) => {
  const deploys = deployJobs(workflow);
  if (deploys.size === 0) return [];
  const problems: string[] = [];
  const builders = Object.entries(workflow.jobs).filter(([, job]) => buildsImages(job));
  for (const [id] of builders.filter(([id]) => [...deploys.values()].includes(id)))
    problems.push(`${workflow.file}: jobs.${id}: a deploy job builds or pushes images; it must deploy what the build job pushed`);
  const build = builders.filter(([id]) => ![...deploys.values()].includes(id));
  if (build.length !== 1) return [...problems, `${workflow.file}: exactly one job must build the images, found ${build.length}`];
  const [buildId, buildJob] = build[0]!;
  for (const [environment, id] of deploys)
    if (!transitiveNeeds(workflow, id).has(buildId))
      problems.push(`${workflow.file}: jobs.${id}.needs: deploys ${environment} without waiting for ${buildId}`);
  const source = environments.find(
    (environment) => !environment.promotedFrom && environments.some((other) => other.promotedFrom === environment.name),
  );
  const target = targetOutputs(workflow);
  if (source && buildJob.env?.REGISTRY !== target.of(source.name, 'registry'))
    problems.push(`${workflow.file}: jobs.${buildId}.env.REGISTRY: must be ${source.name}'s registry, the one the others replicate from`);
  if (buildJob.env?.TAG !== target.tag)
    problems.push(`${workflow.file}: jobs.${buildId}.env.TAG: must be the commit's tag from deploy:target`);
  const builds = steps(buildJob).filter((step) => usesAction(step, 'docker/build-push-action'));
  for (const [repository, { dockerfile, target }] of Object.entries(IMAGE_BUILDS)) {
    const tag = `\${{ env.REGISTRY }}/${repository}:\${{ env.TAG }}`;
    const matching = builds.filter((step) => step.with?.tags === tag);
    if (matching.length !== 1) {
      problems.push(`${workflow.file}: jobs.${buildId}: must build ${tag} exactly once, found ${matching.length}`);
      continue;
    }
    const { file, target: stage, push } = matching[0]!.with!;
    if (file !== dockerfile || stage !== target || push !== true)
      problems.push(`${workflow.file}: jobs.${buildId}: ${repository} must be built from ${dockerfile}, target ${target}, and pushed`);
  }
  if (builds.length !== Object.keys(IMAGE_BUILDS).length)
    problems.push(
      `${workflow.file}: jobs.${buildId}: builds ${builds.length} images, the task definitions use ${Object.keys(IMAGE_BUILDS).length}`,
    );
  const buildConcurrency = concurrencyOf(buildJob);
  if (buildConcurrency && buildConcurrency['cancel-in-progress'] !== false)
    problems.push(`${workflow.file}: jobs.${buildId}.concurrency: must not cancel a build in progress`);
  return problems;
};

/** The pinned Python tools of the infra tests; CI installs them before npm test. */
export const PYTHON_TOOLS = 'deploy/infra/requirements.txt';

/**
 * The synthesized templates are linted in CI: every job that runs npm test
 * sets up Python, installs the pinned cfn-lint from PYTHON_TOOLS before the
 * tests, and runs them with CI set, so the infra tests fail when cfn-lint is
 * missing instead of skipping the lint.
 */
const lintsTemplates: Rule = (workflow) => {
  const problems: string[] = [];
  const pinned = /^cfn-lint==\d+\.\d+\.\d+$/m.test(readFileSync(path.join(REPO_ROOT, PYTHON_TOOLS), 'utf8'));
  if (!pinned) problems.push(`${PYTHON_TOOLS}: must pin cfn-lint==<version>`);
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const tests = steps(job).findIndex((step) => /\bnpm test\b/.test(step.run ?? ''));
    if (tests === -1) continue;
    const where = `${workflow.file}: jobs.${id}`;
    const python = steps(job).findIndex((step) => usesAction(step, 'actions/setup-python'));
    const install = steps(job).findIndex((step) => (step.run ?? '').trim() === `pip install -r ${PYTHON_TOOLS}`);
    if (install === -1 || install > tests) problems.push(`${where}: must run pip install -r ${PYTHON_TOOLS} before npm test (cfn-lint)`);
    else if (python === -1 || python > install) problems.push(`${where}: pip installs before actions/setup-python sets up Python`);
    if (envOf(job, steps(job)[tests]!).CI !== 'true')
      problems.push(`${where}.steps[${tests}]: npm test must run with CI: 'true', so a missing cfn-lint fails it`);
  }
  return problems;
};

/** A run on main is never cancelled by a newer push: it may be deploying. */
const runConcurrency: Rule = (workflow) => {
  const cancel = concurrencyOf(workflow)?.['cancel-in-progress'];
  if (cancel === undefined || cancel === false || cancel === "${{ github.event_name == 'pull_request' }}") return [];
  return [`${workflow.file}: concurrency.cancel-in-progress: may cancel a run on main (allowed: false, or only for pull requests)`];
};

/** No expression is pasted into a shell script (script injection), and no checkout leaves the token in .git/config. */
const hygiene: Rule = (workflow) => {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    steps(job).forEach((step, index) => {
      if ((step.run ?? '').includes('${{'))
        problems.push(`${workflow.file}: jobs.${id}.steps[${index}].run: pass expressions through env, not into the script`);
      if (usesAction(step, 'actions/checkout') && step.with?.['persist-credentials'] !== false)
        problems.push(`${workflow.file}: jobs.${id}.steps[${index}]: checkout without persist-credentials: false`);
    });
  }
  if (/arn:aws:iam::|\b\d{12}\b/.test(workflow.text))
    problems.push(`${workflow.file}: an account id or role ARN is written here; it belongs in deploy/environments/`);
  return problems;
};

const RULES: Record<string, Rule> = {
  pinnedActions,
  leastPrivilege,
  installBeforeCredentials,
  gate,
  deployOrder,
  buildOnce,
  runConcurrency,
  hygiene,
  lintsTemplates,
};

export function pipelineProblems(workflows: Workflow[], environments: Environment[]): string[] {
  const problems = workflows.flatMap((workflow) => Object.values(RULES).flatMap((rule) => rule(workflow, environments)));
  const deploying = workflows.filter((workflow) => deployJobs(workflow).size > 0);
  if (deploying.length !== 1)
    problems.push(`exactly one workflow must deploy (found ${deploying.map((workflow) => workflow.file).join(', ') || 'none'})`);
  return problems;
}
