/**
 * Bad usage, configuration or task definitions: found before any AWS call,
 * so the CLI exits 2. Each problem is one line, `<file>: <json.path>: <problem>`
 * where a file is involved.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
