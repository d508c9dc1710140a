export { ConfigError } from './config-error';
export { parseWholeNumber } from './options';
export { REPO_ROOT } from './repo-root';
