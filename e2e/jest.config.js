/** @type {import('jest').Config} */
module.exports = {
  preset: '@ping-pong/jest-presets/node',
  testMatch: ['<rootDir>/test/**/*.e2e.ts'],
  // Builds the node, client and gateway images once per run (tags shared through
  // the environment) and removes every image, container and network afterwards.
  globalSetup: '<rootDir>/support/global-setup.ts',
  globalTeardown: '<rootDir>/support/global-teardown.ts',
  // Containers and browsers are slow to start; each test sets tighter limits where it matters.
  testTimeout: 180_000,
};
