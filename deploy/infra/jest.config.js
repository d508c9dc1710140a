/** @type {import('jest').Config} */
module.exports = {
  preset: '@ping-pong/jest-presets/node',
  // Every environment is synthesized once for the run; the test files read the templates.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // A synthesis, cdk-nag and cfn-lint over every environment take longer than a unit test.
  testTimeout: 60000,
};
