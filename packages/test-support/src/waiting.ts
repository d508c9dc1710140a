import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `probe` until `done` accepts its value or `timeoutMs` passes, and
 * returns the last value either way, so the caller's assertion says what was wrong.
 */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, intervalMs = 200): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || performance.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

/** Whether a GET of `url` answers 2xx within a second; any failure is false. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Waits until `url` answers 2xx. `alive` tells whether what should answer is
 * still running, so a crash fails at once with `describe()` (its output)
 * rather than after the timeout.
 */
export async function waitUntilReady(
  url: string,
  {
    timeoutMs = 20_000,
    alive = () => true,
    describe = () => '',
  }: { timeoutMs?: number; alive?: () => boolean; describe?: () => string } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!alive()) throw new Error(`exited before ${url} answered:\n${describe()}`);
    if (await answersOk(url)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${describe()}`);
}
