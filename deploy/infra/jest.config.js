/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Type-checking aws-cdk-lib in every test file would cost seconds each; `npm run typecheck` does it once.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
};
