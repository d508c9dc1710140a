/** @type {import('jest').Config} */
module.exports = {
  preset: '@ping-pong/jest-presets/node',
  // The components render into a DOM; tsconfig.json is the Vite build's (src only), tsconfig.test.json adds test/.
  testEnvironment: 'jsdom',
  testEnvironmentOptions: { customExportConditions: ['browser', 'source'] },
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
};
