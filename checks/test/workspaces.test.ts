import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ping-pong/tooling';

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = (directory: string): Manifest => JSON.parse(readFileSync(path.join(REPO_ROOT, directory, 'package.json'), 'utf8')) as Manifest;

/** Every workspace directory the root package.json names, with `dir/*` expanded as npm does. */
const workspaces = (read('.').workspaces ?? []).flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  return readdirSync(path.join(REPO_ROOT, parent))
    .map((entry) => `${parent}/${entry}`)
    .filter((directory) => existsSync(path.join(REPO_ROOT, directory, 'package.json')));
});

describe('the workspaces', () => {
  const manifests = workspaces.map((directory) => ({ directory, manifest: read(directory) }));
  const internal = new Set(manifests.map(({ manifest }) => manifest.name));

  it('are named @ping-pong/<name>, each name once', () => {
    const names = manifests.map(({ manifest }) => manifest.name);
    expect(names.filter((name) => !name.startsWith('@ping-pong/'))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('depend on each other as "*", so the workspace copy is always the one used', () => {
    const pinned = manifests.flatMap(({ directory, manifest }) =>
      Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
        .filter(([name, range]) => internal.has(name) && range !== '*')
        .map(([name, range]) => `${directory}/package.json: ${name} is "${range}"`),
    );
    expect(pinned).toEqual([]);
  });
});
