import path from 'node:path';

/** deploy/infra/: where cdk.json and cdk.context.json are, and cdk.out/ goes. */
export const INFRA_DIR = path.resolve(__dirname, '..');
