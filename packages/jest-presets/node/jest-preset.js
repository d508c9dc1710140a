/**
 * `"jest": { "preset": "@ping-pong/jest-presets/node" }`: the workspace's
 * tests are test/**\/*.test.ts(x), compiled by ts-jest against the
 * workspace's own tsconfig.json (which includes test/), run in node.
 * Workspace packages resolve to their TypeScript sources (the `source`
 * export condition, as the dev loop and the root scripts run them), so a
 * test never runs against a stale dist/.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'source'] },
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts?(x)'],
  // Real servers and processes on a shared machine: generous, so only a hang fails on time.
  testTimeout: 20000,
};
