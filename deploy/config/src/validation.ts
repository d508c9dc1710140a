import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '@ping-pong/tooling';
import { displayPath } from './paths';

/** `containerDefinitions[0].environment[2].value`: the path as a reader finds it in the file. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  const path = segments
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(segment))
          ? `.${String(segment)}`
          : `[${JSON.stringify(String(segment))}]`,
    )
    .join('')
    .replace(/^\./, '');
  return path === '' ? '(top level)' : path;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : typeof value;
}

// Says "required" rather than "expected string, received undefined".
const messages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'required' : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  }
  return undefined;
};

/** Every problem zod found, one line each, `<file>: <json.path>: <problem>`; an unknown key names itself. */
function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${displayPath(file)}: ${jsonPath([...issue.path, key])}: unknown key`)
      : [`${displayPath(file)}: ${jsonPath(issue.path)}: ${issue.message}`],
  );
}

/**
 * Parses `value` with `schema`, or throws a ConfigError listing the problems
 * already `found` in `file`, then every problem the schema finds.
 */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, found: readonly string[] = []): T {
  const result = schema.safeParse(value, { error: messages });
  if (!result.success) throw new ConfigError([...found, ...describeIssues(file, result.error)]);
  if (found.length > 0) throw new ConfigError(found);
  return result.data;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${displayPath(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${displayPath(file)}: is not valid JSON (${(error as Error).message})`]);
  }
}
