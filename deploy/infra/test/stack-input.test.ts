import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { displayPath, ENVIRONMENTS_DIR } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { loadStackInput } from '../src/stack-input';

describe('what a stack is built from', () => {
  it('the log groups, parameters and repositories the task definitions name, and who replicates to whom', () => {
    const staging = loadStackInput('staging');
    expect(staging.logGroups).toEqual(['/ecs/microservice-ping-pong/client', '/ecs/microservice-ping-pong/node']);
    expect(staging.parameters).toEqual(['/microservice-ping-pong/staging/CORS_ORIGINS']);
    expect(staging.repositories).toEqual(['microservice-ping-pong/client', 'microservice-ping-pong/node']);
    expect(staging.replicas.map(({ name }) => name)).toEqual(['production']);
    expect(staging.source).toBeUndefined();
    expect(loadStackInput('production').source?.name).toBe('staging');
  });

  describe('refuses', () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'environments-'));
      cpSync(ENVIRONMENTS_DIR, directory, { recursive: true });
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('promotion between two environments of one registry: there is nothing to replicate, and both stacks would create the repositories', () => {
      const file = path.join(directory, 'production.json');
      const production = JSON.parse(readFileSync(file, 'utf8'));
      production.account = '210987654321';
      production.loadBalancer.listener.certificateArn = production.loadBalancer.listener.certificateArn.replace(
        '123456789012',
        '210987654321',
      );
      writeFileSync(file, JSON.stringify(production));

      expect(() => loadStackInput('production', directory)).toThrow(
        new ConfigError([
          `${displayPath(file)}: promotedFrom: staging uses the same registry (account 210987654321, eu-west-1); promotion by replication needs another account or region`,
        ]),
      );
    });
  });
});
