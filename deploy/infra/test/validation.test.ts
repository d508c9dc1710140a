import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { displayPath } from '@ping-pong/deploy-config';
import { CfnResource } from 'aws-cdk-lib';
import { ACKNOWLEDGEMENTS, CFN_LINT, constructsAt } from '../src/acknowledgements';
import { buildCdkApp } from '../src/cdk-app';
import { INFRA_DIR } from '../src/paths';
import { stackName } from '../src/stack';
import { assemblyDir, ENVIRONMENTS, templatePath } from './support';

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; acknowledgedId: string; acknowledgedAt: string; reason: string }[];
  }[];
}

/** Whether this runs in CI: CI is set to anything but empty or `false`, as CI services set it. */
const inCi = (env: NodeJS.ProcessEnv) => env.CI !== undefined && env.CI !== '' && env.CI !== 'false';

const readReport = (outdir: string) => JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;

/** `AwsSolutions::AwsSolutions-EC23`: a finding named as acknowledgements name it. */
const ruleId = (pluginName: string, ruleName: string) => `${pluginName.replace(/ /g, '-')}::${ruleName}`;

const nagAndCdkAcknowledgements = ACKNOWLEDGEMENTS.filter(({ rule }) => !rule.startsWith(CFN_LINT));

/** The construct tree of the synthesized stacks, for the paths acknowledgements name (built again here, not synthesized). */
let tree: ReturnType<typeof buildCdkApp>['stacks'];
const stackOf = (environment: (typeof ENVIRONMENTS)[number]) => tree.find((stack) => stack.input.environment.name === environment)!;
beforeAll(() => {
  tree = buildCdkApp({}, { environments: ENVIRONMENTS }).stacks;
});

describe('cdk-nag AwsSolutions (through app.synth(), which is where acknowledgements count)', () => {
  it('the synthesis passes: every finding is acknowledged, none is left over', () => {
    const report = readReport(assemblyDir());
    const nag = report.pluginReports.find(({ pluginName }) => pluginName === 'AwsSolutions')!;
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    expect(report.pluginReports.flatMap(({ violations }) => violations)).toEqual([]);
  });

  it('every acknowledgement carries its reason and still matches a finding in every environment', () => {
    const report = readReport(assemblyDir());
    const suppressed = report.pluginReports.flatMap(({ suppressedViolations = [] }) => suppressedViolations);
    for (const { rule, path: at, reason } of nagAndCdkAcknowledgements) {
      expect({ rule, at, reasonGiven: reason.length > 40 }).toEqual({ rule, at, reasonGiven: true });
      for (const environment of ENVIRONMENTS) {
        const stack = stackOf(environment);
        const matched = suppressed.filter(
          (entry) =>
            entry.acknowledgedId === rule && constructsAt(stack, at).some((construct) => construct.node.path === entry.acknowledgedAt),
        );
        expect({ rule, at, environment, matched: matched.length > 0 }).toEqual({ rule, at, environment, matched: true });
        for (const entry of matched)
          expect({ rule, at: entry.acknowledgedAt, reason: entry.reason }).toEqual({ rule, at: entry.acknowledgedAt, reason });
      }
    }
  });

  it('without the acknowledgements the synthesis stops, on exactly the findings they name', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'infra-unacknowledged-'));
    try {
      const { app } = buildCdkApp({ outdir }, { environments: ['staging'], acknowledge: false });
      expect(() => app.synth()).toThrow(/ERROR .* \(AwsSolutions\)/);
      const stack = app.node.findChild(stackName('staging'));
      const findings = readReport(outdir).pluginReports.flatMap(({ pluginName, violations }) =>
        violations.flatMap(({ ruleName, violatingConstructs }) =>
          violatingConstructs.map(({ constructPath }) => `${ruleId(pluginName, ruleName)} ${constructPath}`),
        ),
      );
      const acknowledged = (finding: string) =>
        nagAndCdkAcknowledgements.some(
          ({ rule, path: at }) =>
            finding.startsWith(`${rule} `) &&
            constructsAt(stack as Parameters<typeof constructsAt>[0], at).some((construct) =>
              finding.slice(rule.length + 1).startsWith(`${construct.node.path}/`),
            ),
        );
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.filter((finding) => !acknowledged(finding))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('synthesis is offline', () => {
  it('needs no context lookup (no credentials): nothing is missing from the assembly, and the committed cdk.context.json is empty', () => {
    const manifest = JSON.parse(readFileSync(path.join(assemblyDir(), 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(INFRA_DIR, 'cdk.context.json'), 'utf8'))).toEqual({});
  });

  it('writes one template per environment, named after it', () => {
    expect(readdirSync(assemblyDir()).filter((file) => file.endsWith('.template.json'))).toEqual([
      'ping-pong-production.template.json',
      'ping-pong-staging.template.json',
    ]);
  });
});

describe('cfn-lint over the synthesized templates (E3002 ignored: its schemas predate the Tags CDK writes)', () => {
  const installed = spawnSync('cfn-lint', ['--version']).error === undefined;
  const lint = async (files: string[], ...options: string[]) => {
    try {
      const { stdout } = await promisify(execFile)('cfn-lint', ['--ignore-checks', 'E3002', ...options, '--', ...files], {
        maxBuffer: 16 << 20,
      });
      return { code: 0, stdout };
    } catch (error) {
      const { code, stdout } = error as { code: number; stdout: string };
      return { code, stdout };
    }
  };
  const templates = () => ENVIRONMENTS.map(templatePath);

  if (!installed) {
    // CI installs the pinned cfn-lint: there, a missing one is a broken pipeline, not a reason to lint nothing.
    it('is installed where CI is set; elsewhere, a missing cfn-lint is only a notice', () => {
      const install = `pip install -r ${displayPath(path.join(INFRA_DIR, 'requirements.txt'))}`;
      if (inCi(process.env)) throw new Error(`cfn-lint is not installed, so the synthesized templates cannot be linted: ${install}`);
      console.warn(`notice: cfn-lint is not installed, so the synthesized templates were not linted (${install})`);
    });
    return;
  }

  it('finds nothing', async () => {
    expect(await lint(templates())).toEqual({ code: 0, stdout: '' });
  });

  it('each cfn-lint acknowledgement in the templates still matches a finding, and matches no more', async () => {
    // The same templates without the acknowledgements that cfn-lint reads from each resource's Metadata.
    const directory = mkdtempSync(path.join(tmpdir(), 'infra-lint-'));
    try {
      const stripped = templates().map((file) => {
        const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, { Metadata?: Record<string, unknown> }> };
        for (const resource of Object.values(template.Resources)) delete resource.Metadata?.['cfn-lint'];
        const copy = path.join(directory, path.basename(file));
        writeFileSync(copy, JSON.stringify(template));
        return copy;
      });
      const findings = JSON.parse((await lint(stripped, '--format', 'json')).stdout) as {
        Rule: { Id: string };
        Location: { Path: string[] };
        Filename: string;
      }[];
      const found = new Set(findings.map(({ Rule, Location, Filename }) => `${path.basename(Filename)} ${Rule.Id} ${Location.Path[1]}`));

      const acknowledged = new Set<string>();
      for (const environment of ENVIRONMENTS) {
        const stack = stackOf(environment);
        for (const { rule, path: at } of ACKNOWLEDGEMENTS.filter(({ rule: id }) => id.startsWith(CFN_LINT))) {
          const ids = constructsAt(stack, at)
            .flatMap((construct) => construct.node.findAll())
            .filter(CfnResource.isCfnResource)
            .map((resource) => stack.resolve(resource.logicalId) as string)
            .filter((id) => found.has(`${stackName(environment)}.template.json ${rule.slice(CFN_LINT.length)} ${id}`));
          expect({ environment, rule, at, matched: ids.length > 0 }).toEqual({ environment, rule, at, matched: true });
          for (const id of ids) acknowledged.add(`${stackName(environment)}.template.json ${rule.slice(CFN_LINT.length)} ${id}`);
        }
      }
      expect([...found].filter((finding) => !acknowledged.has(finding))).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
