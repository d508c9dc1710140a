import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { displayPath, ENVIRONMENTS_DIR } from '@ping-pong/deploy-config';
import { ConfigError } from '@ping-pong/tooling';
import { loadStackInput } from '../src/stack-input';

// The edits change the files' shape freely, so no type describes them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = Record<string, any>;

describe('what a stack is built from', () => {
  it('the log groups, parameters and repositories the task definitions name, and who replicates to whom', () => {
    const staging = loadStackInput('staging');
    expect(staging.logGroups).toEqual(['/ecs/ping-pong-staging/client', '/ecs/ping-pong-staging/node']);
    expect(staging.parameters).toEqual(['/microservice-ping-pong/staging/CORS_ORIGINS']);
    expect(staging.repositories).toEqual(['microservice-ping-pong/client', 'microservice-ping-pong/node']);
    expect(staging.replicas.map(({ name }) => name)).toEqual(['production']);
    expect(staging.source).toBeUndefined();
    expect(loadStackInput('production').source?.name).toBe('staging');
    // In another account: production creates its own repositories, which staging's registry replicates to.
    expect(loadStackInput('production').repositoryOwner).toBeUndefined();
  });

  describe('refuses', () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'environments-'));
      cpSync(ENVIRONMENTS_DIR, directory, { recursive: true });
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    /** Edits a copy of the environment files; returns the edited file. */
    const edit = (name: string, change: (json: AnyJson) => void) => {
      const file = path.join(directory, `${name}.json`);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      change(json);
      writeFileSync(file, JSON.stringify(json));
      return file;
    };
    const intoStagingsRegistry = (json: AnyJson) => {
      json.account = '210987654321';
      json.loadBalancer.listener.certificateArn = json.loadBalancer.listener.certificateArn.replace('123456789012', '210987654321');
      json.github.oidcProvider = 'existing';
    };

    it('two environments of one registry that are not promoted one from the other: both stacks would create the repositories', () => {
      const file = edit('production', (json) => {
        intoStagingsRegistry(json);
        delete json.promotedFrom;
      });
      expect(() => loadStackInput('production', directory)).toThrow(
        new ConfigError([
          `${displayPath(file)}: region: staging uses the same registry (account 210987654321, eu-west-1) without either being promotedFrom the other, so both stacks would create the repositories: promote one from the other, or use another account or region`,
        ]),
      );
    });

    it('two environments of one account that both create the account’s one GitHub OIDC provider', () => {
      const file = edit('production', (json) => {
        intoStagingsRegistry(json);
        json.github.oidcProvider = 'create';
      });
      expect(() => loadStackInput('production', directory)).toThrow(
        new ConfigError([
          `${displayPath(file)}: github.oidcProvider: staging creates the GitHub OIDC provider of account 210987654321 too, and an account has one: set "existing" in one of them, and deploy the other first`,
        ]),
      );
    });

    it('promotion from an environment that shares its source’s registry to another registry: that registry’s replication is the source’s', () => {
      edit('production', intoStagingsRegistry);
      writeFileSync(
        path.join(directory, 'dr.json'),
        readFileSync(path.join(ENVIRONMENTS_DIR, 'production.json'), 'utf8')
          .replace('"promotedFrom": "staging"', '"promotedFrom": "production"')
          .replace('"oidcProvider": "create"', '"oidcProvider": "existing"'),
      );
      expect(() => loadStackInput('production', directory)).toThrow(
        new ConfigError([
          `${displayPath(path.join(directory, 'production.json'))}: promotedFrom: production shares staging's registry, whose one replication configuration staging's stack owns, so dr cannot be promoted from production: promote it from staging`,
        ]),
      );
    });
  });
});
