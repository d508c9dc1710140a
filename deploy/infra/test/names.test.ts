import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENVIRONMENTS_DIR, loadEnvironment } from '@ping-pong/deploy-config';
import { buildCdkApp } from '../src/cdk-app';
import { nameCollisions, physicalNames, type SynthesizedStack, type Template } from '../src/physical-names';
import { stackName } from '../src/stack';
import { ENVIRONMENTS, templatePath } from './support';

type Json = Record<string, unknown>;

const fromFiles = (): SynthesizedStack[] =>
  ENVIRONMENTS.map((name) => {
    const { account, region } = loadEnvironment(name);
    return { stackName: stackName(name), account, region, template: JSON.parse(readFileSync(templatePath(name), 'utf8')) as Template };
  });

describe('the names the stacks take in AWS', () => {
  it('are found in a template: roles account-wide, the rest per region, services within their cluster, families and parameters the SDK creates', () => {
    const staging = fromFiles().find((stack) => stack.stackName === 'ping-pong-staging')!;
    const names = physicalNames(staging.template).map(({ scope, kind, name }) => `${scope} ${kind} ${name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'region AWS::ECS::Cluster ping-pong-staging',
        'region AWS::ECS::Service in "ping-pong-staging" microservice-ping-pong-node-service',
        'region AWS::ElasticLoadBalancingV2::LoadBalancer ping-pong-staging',
        'region AWS::ElasticLoadBalancingV2::TargetGroup ping-pong-staging-node',
        'region AWS::Logs::LogGroup /ecs/ping-pong-staging/node',
        'region ECS task-definition family ping-pong-staging-node',
        'region SSM parameter /microservice-ping-pong/staging/CORS_ORIGINS',
        'region AWS::ECR::Repository microservice-ping-pong/node',
        'account AWS::IAM::Role ping-pong-staging-deploy',
        'account AWS::CloudWatch::Dashboard ping-pong-staging',
      ]),
    );
  });

  it('a name taken twice in one account and region is reported with both takers', () => {
    const template = (cluster: string): Template => ({
      Resources: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: cluster } } },
    });
    const stack = (name: string, region: string, cluster: string) => ({
      stackName: name,
      account: '1',
      region,
      template: template(cluster),
    });
    expect(nameCollisions([stack('a', 'eu-west-1', 'c'), stack('b', 'eu-west-1', 'c')])).toEqual([
      'AWS::ECS::Cluster "c" (account 1, eu-west-1): taken by a/Cluster and b/Cluster',
    ]);
    expect(nameCollisions([stack('a', 'eu-west-1', 'c'), stack('b', 'us-east-1', 'c')])).toEqual([]);
  });

  describe('staging and production synthesized into one account and one region', () => {
    let directory: string;
    let outdir: string;
    let stacks: SynthesizedStack[];

    beforeAll(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'environments-'));
      outdir = mkdtempSync(path.join(tmpdir(), 'one-account-'));
      cpSync(ENVIRONMENTS_DIR, directory, { recursive: true });
      const staging = JSON.parse(readFileSync(path.join(directory, 'staging.json'), 'utf8')) as Json;
      const file = path.join(directory, 'production.json');
      const production = JSON.parse(readFileSync(file, 'utf8')) as Json & {
        github: Json;
        loadBalancer: { listener: Json & { certificateArn: string } };
      };
      production.account = staging.account;
      production.region = staging.region;
      // The account's one GitHub OIDC provider is staging's stack's.
      production.github.oidcProvider = 'existing';
      production.loadBalancer.listener.certificateArn = production.loadBalancer.listener.certificateArn.replace(
        /:\d{12}:/,
        `:${String(staging.account)}:`,
      );
      writeFileSync(file, JSON.stringify(production));

      const { app } = buildCdkApp({ outdir }, { environmentsDir: directory, environments: ENVIRONMENTS });
      const assembly = app.synth();
      stacks = ENVIRONMENTS.map((name) => {
        const { account, region } = loadEnvironment(name, directory);
        return { stackName: stackName(name), account, region, template: assembly.getStackByName(stackName(name)).template as Template };
      });
    }, 120_000);

    afterAll(() => {
      rmSync(directory, { recursive: true, force: true });
      rmSync(outdir, { recursive: true, force: true });
    });

    it('take no name twice: each name carries the environment, and what one registry or account has once, one stack creates', () => {
      expect(nameCollisions(stacks)).toEqual([]);
    });

    it('production pulls staging’s images from staging’s repositories: nothing to replicate, no repository of its own', () => {
      const [staging, production] = stacks.map(({ template }) => Object.values(template.Resources).map(({ Type }) => Type));
      expect(production!.filter((type) => type.startsWith('AWS::ECR::'))).toEqual([]);
      expect(staging!.filter((type) => type.startsWith('AWS::ECR::')).sort()).toEqual(['AWS::ECR::Repository', 'AWS::ECR::Repository']);
      const pull = JSON.stringify(
        Object.values(stacks[1]!.template.Resources)
          .filter(({ Type }) => Type === 'AWS::IAM::Policy')
          .map(({ Properties }) => Properties),
      );
      expect(pull).toContain(':repository/microservice-ping-pong/node');
    });
  });
});
