/** @type {import('jest').Config} */
module.exports = {
  preset: '@ping-pong/jest-presets/node',
  // Workspace packages from their TypeScript sources, as the root scripts run them: no build needed first.
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'source'] },
};
