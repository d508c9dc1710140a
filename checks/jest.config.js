/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
  // Workspace packages from their TypeScript sources, as the root scripts run them: no build needed first.
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'source'] },
};
