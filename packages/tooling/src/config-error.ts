/**
 * Bad usage, configuration or input files, found before anything runs: the
 * tools exit 2 with it. Each problem is one line, `<file>: <json.path>:
 * <problem>` where a file is involved, `<option or variable> <value>:
 * <problem>` otherwise.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
