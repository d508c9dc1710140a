import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ping-pong/tooling';
import { parse } from 'yaml';
import { type Job, pipelineProblems, PYTHON_TOOLS, readEnvironments, readWorkflows, type Step, type Workflow } from './pipeline-rules';

const environments = readEnvironments();
const workflows = readWorkflows();
const ci = workflows.find((workflow) => workflow.file === '.github/workflows/ci.yml')!;

const job = (workflow: Workflow, id: string): Job => workflow.jobs[id]!;
const step = (workflow: Workflow, id: string, match: (step: Step) => boolean): Step => job(workflow, id).steps!.find(match)!;
const runs = (text: string) => (candidate: Step) => (candidate.run ?? '').includes(text);
const uses = (action: string) => (candidate: Step) => (candidate.uses ?? '').startsWith(`${action}@`);

describe('the delivery pipeline (.github/workflows)', () => {
  it('keeps every rule: gate, order, build once, pins, permissions, installs, main only, concurrency, templates linted', () => {
    expect(pipelineProblems(workflows, environments)).toEqual([]);
  });

  it('is one workflow whose deploy jobs need the test jobs: checks, e2e → target, build → staging → production', () => {
    expect(workflows.map((workflow) => workflow.file)).toEqual(['.github/workflows/ci.yml']);
    expect(Object.fromEntries(Object.entries(ci.jobs).map(([id, { needs }]) => [id, needs ?? []]))).toEqual({
      checks: [],
      e2e: 'checks',
      target: [],
      build: ['checks', 'e2e', 'target'],
      staging: ['target', 'build'],
      production: ['target', 'staging'],
    });
  });

  it('runs npm test after installing the pinned cfn-lint, with CI set so the infra tests fail without it', () => {
    const checks = job(ci, 'checks').steps!;
    const index = (match: (step: Step) => boolean) => checks.findIndex(match);
    expect(index(uses('actions/setup-python'))).toBeGreaterThan(-1);
    expect(index(uses('actions/setup-python'))).toBeLessThan(index(runs(`pip install -r ${PYTHON_TOOLS}`)));
    expect(index(runs(`pip install -r ${PYTHON_TOOLS}`))).toBeLessThan(index(runs('npm test')));
    expect(step(ci, 'checks', runs('npm test')).env).toEqual({ CI: 'true' });
    expect(readFileSync(path.join(REPO_ROOT, PYTHON_TOOLS), 'utf8')).toMatch(/^cfn-lint==\d+\.\d+\.\d+$/m);
  });

  it('Dependabot keeps the action pins, the npm lockfile and the pinned Python tools fresh', () => {
    const config = parse(readFileSync(path.join(REPO_ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string; directory: string }[];
    };
    expect(config.updates.map((update) => `${update['package-ecosystem']} ${update.directory}`)).toEqual([
      'github-actions /',
      'npm /',
      `pip /${path.dirname(PYTHON_TOOLS)}`,
    ]);
  });
});

/*
 * Each rule can fail: a broken copy of ci.yml, made here, must be reported.
 * The copies are edited as parsed YAML (the text only where a rule reads it).
 */
describe('a later edit that breaks the pipeline fails npm test', () => {
  const broken: [string, (workflow: Workflow) => void, string][] = [
    [
      'production no longer waits for staging',
      (workflow) => (job(workflow, 'production').needs = ['target', 'build']),
      'jobs.production.needs: production is promoted from staging, so it must wait for its deploy',
    ],
    [
      'the build no longer waits for the end-to-end tests',
      (workflow) => (job(workflow, 'build').needs = ['checks', 'target']),
      'jobs.build.needs: does not wait for e2e, which runs the tests',
    ],
    [
      'a deploy job runs even when a test failed',
      (workflow) => (job(workflow, 'staging').if = "always() && github.event_name == 'push' && github.ref == 'refs/heads/main'"),
      'jobs.staging.if: must be exactly',
    ],
    [
      'deploys are triggered by workflow_run instead',
      (workflow) => ((workflow.on as Record<string, unknown>).workflow_run = { workflows: ['ci'], types: ['completed'] }),
      'on.workflow_run: a job with AWS credentials must run only on a push CI gates in the same run',
    ],
    [
      'a test step may fail without failing the gate',
      (workflow) => (step(workflow, 'checks', runs('npm test'))['continue-on-error'] = true),
      'jobs.checks: continue-on-error lets a failed test pass the gate',
    ],
    [
      'production builds its own image',
      (workflow) =>
        job(workflow, 'production').steps!.push({ uses: 'docker/build-push-action@d08e5c354a6adb9ed34480a06d141179aa583294', with: {} }),
      'jobs.production: a deploy job builds or pushes images',
    ],
    [
      'production pushes to its own registry by hand',
      (workflow) => job(workflow, 'production').steps!.push({ run: 'docker push "$IMAGE"' }),
      'jobs.production: a deploy job builds or pushes images',
    ],
    [
      'the client image is built from another Dockerfile than ecs:local uses',
      (workflow) =>
        (step(workflow, 'build', (candidate) => candidate.name === 'Build and push microservice-ping-pong/client').with!.file =
          'Dockerfile'),
      'microservice-ping-pong/client must be built from apps/client/Dockerfile, target runtime, and pushed',
    ],
    [
      'images are pushed to production’s registry too',
      (workflow) => (job(workflow, 'build').env!.REGISTRY = '${{ fromJSON(needs.target.outputs.production).registry }}'),
      "jobs.build.env.REGISTRY: must be staging's registry",
    ],
    [
      'an action pinned to a movable tag',
      (workflow) => (step(workflow, 'staging', uses('actions/checkout')).uses = 'actions/checkout@v6'),
      'jobs.staging: actions/checkout@v6 is not pinned to a full commit SHA',
    ],
    [
      'a pinned action without its version comment',
      (workflow) =>
        (workflow.text = workflow.text.replace(
          'de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2',
          'de0fac2e4500dabe0009e67214ff5f5447ce83dd',
        )),
      'actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd has no "# v<version>" comment',
    ],
    ['a job without a permissions block', (workflow) => delete job(workflow, 'e2e').permissions, 'jobs.e2e.permissions: missing'],
    [
      'write permissions for the whole workflow',
      (workflow) => (workflow.permissions = { contents: 'write' }),
      'permissions: must be {} or read-only at the top',
    ],
    [
      'an OIDC token for a job that assumes no role',
      (workflow) => (job(workflow, 'target').permissions = { contents: 'read', 'id-token': 'write' }),
      'jobs.target.permissions: id-token: write in a job that assumes no AWS role',
    ],
    [
      'npm ci with install scripts in a job holding AWS credentials',
      (workflow) => (step(workflow, 'production', runs('npm ci')).run = 'npm ci --no-audit --no-fund'),
      'npm installs without --ignore-scripts in a job with AWS credentials',
    ],
    [
      'npm ci after the credentials step',
      (workflow) => {
        const list = job(workflow, 'staging').steps!;
        const install = list.findIndex(runs('npm ci'));
        list.push(...list.splice(install, 1));
      },
      'npm installs after the AWS credentials step',
    ],
    [
      'a deploy from any branch',
      (workflow) => (job(workflow, 'production').if = "github.event_name == 'push'"),
      "jobs.production.if: must be exactly github.event_name == 'push' && github.ref == 'refs/heads/main'",
    ],
    [
      'one concurrency group for both environments',
      (workflow) => (job(workflow, 'production').concurrency = { group: 'deploy-staging', 'cancel-in-progress': false }),
      'jobs.production.concurrency: must be group deploy-production with cancel-in-progress: false',
    ],
    [
      'a newer push cancels a deploy in progress',
      (workflow) => (job(workflow, 'staging').concurrency = { group: 'deploy-staging', 'cancel-in-progress': true }),
      'jobs.staging.concurrency: must be group deploy-staging with cancel-in-progress: false',
    ],
    [
      'a newer push to main cancels the whole run',
      (workflow) => (workflow.concurrency = { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true }),
      'concurrency.cancel-in-progress: may cancel a run on main',
    ],
    [
      'production deployed from a GitHub environment without its reviewers',
      (workflow) => delete job(workflow, 'production').environment,
      'jobs.production.environment: must be production',
    ],
    [
      'production deployed with another tag than staging',
      (workflow) => (step(workflow, 'production', runs('deploy:ecs')).env!.TAG = '${{ github.sha }}'),
      'jobs.production: must deploy --tag "$TAG" with TAG: ${{ needs.target.outputs.tag }}',
    ],
    [
      'the deploy role stored as a GitHub variable',
      (workflow) =>
        (step(workflow, 'production', uses('aws-actions/configure-aws-credentials')).with!['role-to-assume'] =
          '${{ vars.AWS_DEPLOY_ROLE_ARN }}'),
      "jobs.production: the role and region must be production's, from deploy:target",
    ],
    [
      'an expression pasted into a shell script',
      (workflow) =>
        (step(workflow, 'staging', runs('deploy:ecs')).run = 'npm run deploy:ecs -- --env staging --tag "${{ needs.target.outputs.tag }}"'),
      'jobs.staging.steps[4].run: pass expressions through env, not into the script',
    ],
    [
      'cfn-lint is no longer installed, so the infra tests would lint nothing',
      (workflow) => {
        const list = job(workflow, 'checks').steps!;
        list.splice(list.findIndex(runs(`pip install -r ${PYTHON_TOOLS}`)), 1);
      },
      `jobs.checks: must run pip install -r ${PYTHON_TOOLS} before npm test (cfn-lint)`,
    ],
    [
      'cfn-lint is installed only after the tests ran',
      (workflow) => {
        const list = job(workflow, 'checks').steps!;
        list.push(...list.splice(list.findIndex(runs(`pip install -r ${PYTHON_TOOLS}`)), 1));
      },
      `jobs.checks: must run pip install -r ${PYTHON_TOOLS} before npm test (cfn-lint)`,
    ],
    [
      'pip runs without the pinned Python set up',
      (workflow) => {
        const list = job(workflow, 'checks').steps!;
        list.splice(list.findIndex(uses('actions/setup-python')), 1);
      },
      'jobs.checks: pip installs before actions/setup-python sets up Python',
    ],
    [
      'npm test without CI set, where a missing cfn-lint is only a notice',
      (workflow) => delete step(workflow, 'checks', runs('npm test')).env,
      "npm test must run with CI: 'true', so a missing cfn-lint fails it",
    ],
  ];

  it.each(broken)('%s', (_change, breakIt, problem) => {
    const copy = structuredClone(ci);
    breakIt(copy);

    expect(pipelineProblems([copy], environments)).toContainEqual(expect.stringContaining(problem));
  });
});
