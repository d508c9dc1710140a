import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../src/rehearse';
import type { Template } from '../src/physical-names';
import { assemblyDir } from './support';

/** `npm run infra:rehearse -- --assembly <dir>` with its output collected. */
async function rehearse(assembly: string) {
  const info: string[] = [];
  const errors: string[] = [];
  const code = await main(['--assembly', assembly, '--tag', 'git-0123456789ab'], {
    output: { info: (line) => info.push(line), error: (line) => errors.push(line) },
  });
  return { code, info, errors };
}

/** A copy of this run's cloud assembly with one template changed. */
function withEditedTemplate(stack: string, edit: (template: Template) => void): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'rehearsal-assembly-'));
  cpSync(assemblyDir(), directory, { recursive: true });
  const file = path.join(directory, `${stack}.template.json`);
  const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  edit(template);
  writeFileSync(file, JSON.stringify(template));
  return directory;
}

const removeResources = (type: string) => (template: Template) => {
  for (const [id, resource] of Object.entries(template.Resources)) if (resource.Type === type) delete template.Resources[id];
};

describe('npm run infra:rehearse walks the README’s first deploy offline', () => {
  let edited: string | undefined;
  afterEach(() => {
    if (edited) rmSync(edited, { recursive: true, force: true });
    edited = undefined;
  });

  it('on the committed files: every step passes, staging before production, and the manual checklist is printed', async () => {
    const { code, info, errors } = await rehearse(assemblyDir());

    expect({ code, errors }).toEqual({ code: 0, errors: [] });
    const steps = info.filter((line) => /^\d\. /.test(line));
    expect(steps.map((line) => line.slice(0, 2))).toEqual(['1.', '2.', '3.', '4.', '5.']);
    expect(info).toEqual(
      expect.arrayContaining([
        '   ok     no name is taken twice in one account (IAM) or one account and region (the rest)',
        "   ok     production's registry policy lets staging's account 210987654321 replicate in (ecr:CreateRepository, ecr:ReplicateImage)",
        "   order  create ping-pong-production before the first push to staging's registry: ECR replicates only what is pushed once its registry policy exists",
        '   ok     replicated microservice-ping-pong/node:git-0123456789ab to 123456789012, eu-west-1',
        '     | dry run: deploying staging to ping-pong-staging in eu-west-1, images tagged git-0123456789ab',
        '   ok     staging: deploy:ecs --dry-run exited 0, no warning',
        '   ok     production: deploy:ecs --dry-run exited 0, no warning',
        '   production: https://<DNS name of load balancer ping-pong-production>',
      ]),
    );
    // The first deploy replaces the bootstrap revision, which the stand-in answers from the template.
    expect(info).toContainEqual(
      expect.stringMatching(
        /^ {5}\| microservice-ping-pong-node-service: arn:aws:ecs:eu-west-1:210987654321:task-definition\/ping-pong-staging-node:1 → /,
      ),
    );
    expect(info.indexOf('   ok     staging: deploy:ecs --dry-run exited 0, no warning')).toBeLessThan(
      info.indexOf('   ok     production: deploy:ecs --dry-run exited 0, no warning'),
    );
    const checklist = info.slice(info.indexOf('By hand (no offline check can do these):') + 1).filter((line) => line.startsWith('   [ ] '));
    expect(checklist).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {3}\[ \] production: an ACM certificate for your domain, ISSUED, in eu-west-1: /),
        expect.stringMatching(/^ {3}\[ \] production: GitHub .* deploys from its GitHub environment "production"/),
        expect.stringMatching(/^ {3}\[ \] staging: confirm the SNS subscription mailed to /),
      ]),
    );
    expect(info.at(-1)).toMatch(/^The rehearsal passed: \d+ checks\./);
  });

  it('without production’s registry policy, replication is refused and production’s first deploy finds no image: exit 1', async () => {
    edited = withEditedTemplate('ping-pong-production', removeResources('AWS::ECR::RegistryPolicy'));
    const { code, errors } = await rehearse(edited);

    expect(code).toBe(1);
    expect(errors).toEqual(
      expect.arrayContaining([
        "   FAILED production's registry policy does not let staging's account 210987654321 replicate in (ecr:CreateRepository, ecr:ReplicateImage)",
        expect.stringMatching(
          /^ {3}FAILED replicate microservice-ping-pong\/node:git-0123456789ab to 123456789012, eu-west-1: the registry policy of 123456789012, eu-west-1 does not let account 210987654321 replicate/,
        ),
        expect.stringMatching(
          /^ {5}\| image 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/microservice-ping-pong\/node:git-0123456789ab is not in the registry/,
        ),
        '   FAILED production: deploy:ecs --dry-run exited 2 with 3 problem(s) or warning(s)',
      ]),
    );
    expect(errors.at(-1)).toMatch(/^The rehearsal FAILED: 4 of \d+ checks\./);
  });

  it('a stack whose cluster is not the one deploy:ecs deploys to fails the dry run, naming both', async () => {
    edited = withEditedTemplate('ping-pong-staging', (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type === 'AWS::ECS::Service') resource.Properties!.Cluster = 'another-cluster';
      }
    });
    const { code, errors } = await rehearse(edited);

    expect(code).toBe(1);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^ {5}\| deploy of staging stopped: service microservice-ping-pong-\w+-service is not active in cluster ping-pong-staging \(MISSING\)/,
      ),
    );
  });
});
