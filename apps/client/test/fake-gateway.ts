import { PING_ANSWERS, ROUTES } from '@ping-pong/contract';
import type { HttpResponseLike } from '../src/api';

export function response(status: number, body: string, headers: Record<string, string> = {}): HttpResponseLike {
  const byLowerName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { status, headers: { get: (name) => byLowerName.get(name.toLowerCase()) ?? null }, text: async () => body };
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponseLike {
  return response(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

export const MEOWS = ['meow from node-paul:3002', 'meow from node-george:3003', 'meow from node-ringo:3004'];

/** A request that only ends when the client aborts it, as a hung connection would. */
export function hangUntilAborted(init: RequestInit): Promise<HttpResponseLike> {
  return new Promise((_resolve, reject) => {
    init.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
  });
}

/** A fetch standing in for node-john: /ping answers pong unless told otherwise, /start as the test says. */
export function fakeGateway(
  start: (init: RequestInit) => Promise<HttpResponseLike>,
  ping: () => Promise<HttpResponseLike> = async () =>
    response(PING_ANSWERS.serving.status, PING_ANSWERS.serving.body, { 'content-type': 'text/plain' }),
) {
  return jest.fn(async (url: string, init: RequestInit): Promise<HttpResponseLike> => {
    if (url.endsWith(ROUTES.ping)) return ping();
    if (url.endsWith(ROUTES.start)) return start(init);
    throw new Error(`the fake gateway has no route for ${url}`);
  });
}

export function startCalls(fetch: ReturnType<typeof fakeGateway>): number {
  return fetch.mock.calls.filter(([url]) => url.endsWith(ROUTES.start)).length;
}
