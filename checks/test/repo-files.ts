import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ping-pong/tooling';
import { parse } from 'yaml';

/*
 * Reading the repository's literal files, and collecting what is wrong with
 * them as `<file>: <field>: <problem>` lines, so a failing check names each
 * item it found wrong.
 */

export const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
// The files' shapes are what is being checked, so no type describes them up front.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const readJson = (file: string) => JSON.parse(read(file)) as Json;
/** A compose file's services, its YAML merge keys (`<<: *production`) applied as compose applies them. */
export const composeServices = (file: string) => (parse(read(file), { merge: true }) as Json).services as Record<string, Json>;

/** Collects `<file>: <field>: <problem>` lines; a test expects none. */
export class Problems {
  readonly lines: string[] = [];
  constructor(private readonly file: string) {}

  expect(field: string, actual: unknown, expected: unknown): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      this.lines.push(`${this.file}: ${field}: is ${JSON.stringify(actual)}, the contract says ${JSON.stringify(expected)}`);
    }
  }

  require(field: string, ok: boolean, problem: string): void {
    if (!ok) this.lines.push(`${this.file}: ${field}: ${problem}`);
  }
}

/** A block's body in an nginx template, where `${NAME}` placeholders do not end it. */
const NGINX_BLOCK_BODY = String.raw`((?:\$\{[A-Z_]+\}|[^}])*)`;

/**
 * The `upstream` or `location` blocks of an nginx template: their arguments
 * (`api`, `= /start`) and their bodies up to the first `}` (enough to read
 * their directives, as none of these blocks nests another).
 */
export function nginxBlocks(template: string, directive: 'upstream' | 'location'): Array<{ args: string; body: string }> {
  return [...template.matchAll(new RegExp(String.raw`${directive} ([^{]*?) ?\{${NGINX_BLOCK_BODY}\}`, 'g'))].map(([, args, body]) => ({
    args: args!,
    body: body!,
  }));
}
