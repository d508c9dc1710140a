import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '@ping-pong/tooling';

/** The full sha of the checked-out commit; throws when there is none (no git, not a repository). */
export function gitCommit(): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/**
 * The image tag of a commit: `git-<first 12 hex digits>`. The same in every
 * environment, so production runs exactly the images staging ran; the
 * pipeline tags what it builds with it and deploy:ecs defaults to it.
 */
export function commitTag(commit: string): string {
  return `git-${commit.slice(0, 12)}`;
}
