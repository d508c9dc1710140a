import { expectedStartAnswer } from '@ping-pong/contract';
import type Dockerode from 'dockerode';
import { getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { docker } from './images';

/** The body of every successful /start through a gateway, byte for byte: the contract's answer as express sends it. */
export const START_ANSWER = JSON.stringify(expectedStartAnswer());

/** What a call through the gateway got back, with how long it took. */
export interface Answer {
  status: number;
  body: string;
  headers: Headers;
  durationMs: number;
}

/** A GET from the host; any answer counts, only a network error or 10 s of silence throws. */
export async function call(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  return { status: response.status, body, headers: response.headers, durationMs: performance.now() - started };
}

/** The container's dockerode handle, for what testcontainers does not wrap: pause, signals, waiting for the exit. */
export async function dockerHandle(container: StartedTestContainer): Promise<Dockerode.Container> {
  return (await getContainerRuntimeClient()).container.getById(container.getId());
}

/** One JSON log line of a service (pino) or of nginx's access log. */
export interface LogLine {
  msg?: string;
  requestId?: string;
  path?: string;
  status?: number;
  [field: string]: unknown;
}

/** The container's stdout so far, JSON lines only (nginx's entrypoint also prints plain text). */
export async function jsonLogs(container: StartedTestContainer): Promise<LogLine[]> {
  const stdout = await docker('logs', container.getId());
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}
