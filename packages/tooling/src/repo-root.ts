import path from 'node:path';

/** The repository's root directory, whether this runs from src/ (tsx, jest) or dist/ of packages/tooling. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
