import type { z } from 'zod';
import { displayPath } from './paths';
import { jsonPath, parseWith, readJsonFile } from './validation';

/**
 * What a `${NAME}` placeholder becomes: a string, or a list. A string holding
 * a list placeholder becomes one string per item (`service/${SERVICES}` →
 * `["service/a", "service/b"]`), spliced into the array it stands in.
 */
export type PlaceholderValue = string | readonly string[];

const PLACEHOLDER = /\$\{([^}]*)\}/g;

function substituteString(text: string, values: Readonly<Record<string, PlaceholderValue>>, at: PropertyKey[], problems: string[]) {
  const lists = [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!))].filter((key) => Array.isArray(values[key]));
  if (lists.length > 1) {
    problems.push(`${jsonPath(at)}: at most one list placeholder per string (found ${lists.map((key) => `\${${key}}`).join(', ')})`);
    return text;
  }
  const fill = (item?: string) =>
    text.replace(PLACEHOLDER, (placeholder, key: string) => {
      const value = values[key];
      if (value === undefined) {
        problems.push(`${jsonPath(at)}: unknown placeholder ${placeholder} (known: ${Object.keys(values).join(', ')})`);
        return placeholder;
      }
      return typeof value === 'string' ? value : item!;
    });
  return lists.length === 0 ? fill() : (values[lists[0]!] as readonly string[]).map(fill);
}

/**
 * Replaces every `${NAME}` in the strings of a parsed JSON value; each unknown
 * name adds `<json.path>: unknown placeholder ...` to `problems` and stays as it is.
 */
export function substitutePlaceholders(
  value: unknown,
  values: Readonly<Record<string, PlaceholderValue>>,
  problems: string[],
  at: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return substituteString(value, values, at, problems);
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => {
      const substituted = substitutePlaceholders(item, values, problems, [...at, index]);
      return typeof item === 'string' && Array.isArray(substituted) ? substituted : [substituted];
    });
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitutePlaceholders(item, values, problems, [...at, key])]),
    );
  }
  return value;
}

/**
 * Reads a JSON file with `${NAME}` placeholders, fills them in from `values`
 * and parses the result with `schema`. Every problem of either step is one
 * ConfigError line, `<file>: <json.path>: <problem>`.
 */
export function renderJsonFile<T>(file: string, values: Readonly<Record<string, PlaceholderValue>>, schema: z.ZodType<T>): T {
  const problems: string[] = [];
  const json = substitutePlaceholders(readJsonFile(file), values, problems);
  return parseWith(
    schema,
    json,
    file,
    problems.map((problem) => `${displayPath(file)}: ${problem}`),
  );
}
