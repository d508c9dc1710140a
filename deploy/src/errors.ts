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

/** AWS refused a call or a service is not in a state to deploy to: the CLI exits 1 with this message. */
export class DeployStoppedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployStoppedError';
  }
}
