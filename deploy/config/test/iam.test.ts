import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvironment } from '../src/environment';
import { ConfigError, REPO_ROOT } from '@ping-pong/tooling';
import { renderPolicy } from '../src/iam';
import { imageRepositories } from '../src/images';
import { IAM_DIR } from '../src/paths';
import { substitutePlaceholders } from '../src/placeholders';
import { renderTaskDefinitions } from '../src/render';

const rendered = (name: string) => {
  const environment = loadEnvironment(name);
  return { environment, taskDefinitions: renderTaskDefinitions(environment, { tag: `${name}-abc`, registry: environment.registry }) };
};

describe('placeholders', () => {
  it('a list placeholder turns its string into one string per item, spliced into the array it stands in', () => {
    const problems: string[] = [];
    const result = substitutePlaceholders(
      { Resource: 'arn:${REGION}:${NAMES}', Many: ['a', 'x/${NAMES}', 'z'] },
      { REGION: 'eu-west-1', NAMES: ['one', 'two'] },
      problems,
    );
    expect(result).toEqual({ Resource: ['arn:eu-west-1:one', 'arn:eu-west-1:two'], Many: ['a', 'x/one', 'x/two', 'z'] });
    expect(problems).toEqual([]);
  });

  it('two list placeholders in one string, and an unknown one, are problems naming the JSON path', () => {
    const problems: string[] = [];
    substitutePlaceholders({ Statement: [{ Resource: '${A}/${B}' }, { Action: '${C}' }] }, { A: ['1'], B: ['2'] }, problems);
    expect(problems).toEqual([
      'Statement[0].Resource: at most one list placeholder per string (found ${A}, ${B})',
      'Statement[1].Action: unknown placeholder ${C} (known: A, B)',
    ]);
  });
});

describe('the deploy role policies in deploy/iam/', () => {
  it.each(['staging', 'production'])('%s: the deploy policy names its own services, cluster, account and roles', (name) => {
    const { environment, taskDefinitions } = rendered(name);
    const policy = renderPolicy('deploy-policy.json', environment, taskDefinitions);

    const statement = (sid: string) => policy.Statement.find((candidate) => candidate.Sid === sid)!;
    expect(statement('DescribeAndUpdateTheServices').Resource).toEqual(
      Object.keys(environment.services).map(
        (service) => `arn:aws:ecs:${environment.region}:${environment.account}:service/${environment.cluster}/${service}`,
      ),
    );
    expect(statement('PassOnlyTheTaskAndExecutionRolesToEcsTasks')).toMatchObject({
      Resource: [environment.roleArns.task, environment.roleArns.execution],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
  });

  it('the push policy names the repositories the task definitions pull from', () => {
    const { environment, taskDefinitions } = rendered('staging');
    expect(imageRepositories(environment, taskDefinitions)).toEqual(['microservice-ping-pong/client', 'microservice-ping-pong/node']);
    expect(renderPolicy('push-images-policy.json', environment, taskDefinitions).Statement[1]!.Resource).toEqual([
      'arn:aws:ecr:eu-west-1:210987654321:repository/microservice-ping-pong/client',
      'arn:aws:ecr:eu-west-1:210987654321:repository/microservice-ping-pong/node',
    ]);
  });

  it.each(['deploy-policy.json', 'push-images-policy.json'])('%s repeats nothing an environment file or task definition owns', (file) => {
    const text = readFileSync(path.join(IAM_DIR, file), 'utf8');
    for (const name of ['staging', 'production']) {
      const { environment, taskDefinitions } = rendered(name);
      const owned = [
        environment.account,
        environment.region,
        environment.cluster,
        ...Object.values(environment.roles),
        ...Object.keys(environment.services),
        ...imageRepositories(environment, taskDefinitions),
      ];
      expect({ environment: name, repeated: owned.filter((value) => text.includes(value)) }).toEqual({ environment: name, repeated: [] });
    }
  });

  describe('a broken policy file', () => {
    let directory: string;
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('an unknown placeholder and a bad statement are reported with the file and JSON path', () => {
      directory = mkdtempSync(path.join(tmpdir(), 'iam-'));
      const json = JSON.parse(readFileSync(path.join(IAM_DIR, 'deploy-policy.json'), 'utf8'));
      json.Statement[1].Resource = 'arn:aws:ecs:${REGION}:*';
      writeFileSync(path.join(directory, 'deploy-policy.json'), JSON.stringify(json));
      const { environment, taskDefinitions } = rendered('production');
      const where = path.relative(REPO_ROOT, path.join(directory, 'deploy-policy.json'));

      expect(() => renderPolicy('deploy-policy.json', environment, taskDefinitions, directory)).toThrow(
        new ConfigError([
          `${where}: Statement[1].Resource: unknown placeholder \${REGION} (known: AWS_ACCOUNT, AWS_REGION, CLUSTER, SERVICES, TASK_ROLE_ARN, EXECUTION_ROLE_ARN, REPOSITORIES)`,
        ]),
      );

      json.Statement[1].Resource = '*';
      json.Statement[0].Sid = 'has spaces';
      writeFileSync(path.join(directory, 'deploy-policy.json'), JSON.stringify(json));
      expect(() => renderPolicy('deploy-policy.json', environment, taskDefinitions, directory)).toThrow(
        `${where}: Statement[0].Sid: must be letters and digits only`,
      );
    });
  });
});
