/** Shared between the server (which starts draining) and the routes (which report it). */
export interface Lifecycle {
  draining: boolean;
}

export function createLifecycle(): Lifecycle {
  return { draining: false };
}
