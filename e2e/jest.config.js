/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.e2e.ts'],
  // Containers and browsers are slow to start; each test sets tighter limits where it matters.
  testTimeout: 180_000,
};
