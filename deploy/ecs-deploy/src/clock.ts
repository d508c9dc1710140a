import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the waiting loop sees it; tests pass one whose sleep only moves `now`. */
export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (milliseconds) => {
    await sleep(milliseconds);
  },
};
