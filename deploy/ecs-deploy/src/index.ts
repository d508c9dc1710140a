export { type AwsClients, createAwsClients } from './aws';
export { type CliDependencies, main } from './cli';
export { systemClock } from './clock';
export { ExitCode } from './deploy';
