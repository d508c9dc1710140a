/** AWS refused a call or a service is not in a state to deploy to: the CLI exits 1 with this message. */
export class DeployStoppedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployStoppedError';
  }
}
