import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { REPO_ROOT } from '@ping-pong/tooling';

/*
 * Every Dockerfile builds from the repo root, so .dockerignore decides what
 * can end up in an image. Matched with Docker's own rules (@balena/dockerignore).
 */

const ignore = dockerignore().add(readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8'));

describe('.dockerignore', () => {
  it.each([
    '.env',
    '.env.local',
    'apps/client/.env',
    'apps/client/.env.production.local',
    'packages/ping-core/.env.development',
    'deploy/secrets.local.json',
    'deploy/ecs-local/secrets.local.json',
    'apps/john/settings.local.json',
    '.npmrc',
    'apps/client/.npmrc',
    'deploy/infra/certs/origin.pem',
    'deploy/infra/certs/origin.key',
    'node_modules/express/package.json',
    'apps/client/node_modules/.vite/deps/react.js',
    'packages/ping-core/dist/server.js',
    'deploy/infra/cdk.out/manifest.json',
    'bench/CPU.20261128.cpuprofile',
    'e2e/test-artifacts/board.png',
    '.git/config',
    'apps/client/.vscode/settings.json',
    'apps/client/src/.DS_Store',
  ])('keeps %s out of the build context', (file) => {
    expect(ignore.ignores(file)).toBe(true);
  });

  it('lets every tracked file the images build from in, .env.example included', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    const excluded = tracked.filter((file) => ignore.ignores(file) && !file.startsWith('.github/'));
    expect(excluded).toEqual([]);
    expect(tracked).toContain('.env.example');
  });
});
