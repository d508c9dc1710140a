import path from 'node:path';
import { REPO_ROOT } from '@ping-pong/tooling';

export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const TASK_DEFINITIONS_DIR = path.join(DEPLOY_DIR, 'task-definitions');
export const ENVIRONMENTS_DIR = path.join(DEPLOY_DIR, 'environments');
export const IAM_DIR = path.join(DEPLOY_DIR, 'iam');

/** How a file is named in messages: relative to the repository root, e.g. `deploy/task-definitions/node.json`. */
export function displayPath(file: string): string {
  return path.relative(REPO_ROOT, file);
}
