/**
 * Node flags that run a TypeScript entry the way the dev loop does: tsx (the
 * root's dev dependency, like jest) and the `source` export condition, so
 * every workspace package it imports is read from its src/ too. A test that
 * starts a process this way can never run a stale dist/.
 */
export const SOURCE_NODE_ARGS: readonly string[] = ['--import', require.resolve('tsx'), '--conditions=source'];
