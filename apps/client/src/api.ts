import { HEADERS, isChainFailure, isErrorBody, OK_STATUS, PING_ANSWERS, ROUTES } from '@ping-pong/contract';

/** The part of a fetch Response the client reads, so tests can answer with plain objects. */
export interface HttpResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<HttpResponseLike>;

export type RunOutcome =
  | { kind: 'success'; status: number; meows: string[] }
  /** A failure further down the chain (the contract's chain failure codes): `hop` is the service that failed. */
  | { kind: 'chain_failure'; status: number; code: string; message: string; hop: string }
  /** Any other error status, with the services' JSON error when there is one. */
  | { kind: 'http_error'; status: number; code?: string; message?: string }
  /** An answer that is not JSON, e.g. a proxy's HTML error page. */
  | { kind: 'not_json'; status: number; contentType: string }
  /** JSON, but not a list of meows. */
  | { kind: 'unexpected_answer'; status: number }
  | { kind: 'network_error'; message: string }
  | { kind: 'timeout'; timeoutMs: number };

export interface RunResult {
  outcome: RunOutcome;
  startedAt: Date;
  durationMs: number;
  requestId?: string;
}

export interface ChainApi {
  /** GET /start; never rejects, every failure is an outcome. */
  runChain(): Promise<RunResult>;
  /** GET /ping; true when the gateway answers as a serving member does (200 "pong"). */
  isGatewayUp(): Promise<boolean>;
}

export interface ApiOptions {
  baseUrl: string;
  fetch: FetchLike;
  /** The services answer within 2 s; this only ends a hung connection. */
  runTimeoutMs?: number;
  pingTimeoutMs?: number;
}

export function createApi({ baseUrl, fetch, runTimeoutMs = 10_000, pingTimeoutMs = 3_000 }: ApiOptions): ChainApi {
  return {
    async runChain() {
      const startedAt = new Date();
      const started = performance.now();
      const finish = (outcome: RunOutcome, requestId?: string): RunResult => ({
        outcome,
        startedAt,
        durationMs: Math.round(performance.now() - started),
        ...(requestId ? { requestId } : {}),
      });
      try {
        const response = await fetchWithTimeout(fetch, `${baseUrl}${ROUTES.start}`, runTimeoutMs);
        const text = await response.text();
        const body = parseJson(text);
        const requestId = response.headers.get(HEADERS.requestId) ?? (isErrorBody(body) ? body.requestId : undefined);
        return finish(classify(response, body), requestId);
      } catch (error) {
        if (error instanceof TimeoutError) return finish({ kind: 'timeout', timeoutMs: runTimeoutMs });
        return finish({ kind: 'network_error', message: error instanceof Error ? error.message : String(error) });
      }
    },

    async isGatewayUp() {
      try {
        const response = await fetchWithTimeout(fetch, `${baseUrl}${ROUTES.ping}`, pingTimeoutMs);
        // The body matters: a static server's catch-all page would also answer 200.
        return response.status === PING_ANSWERS.serving.status && (await response.text()).trim() === PING_ANSWERS.serving.body;
      } catch {
        return false;
      }
    },
  };
}

class TimeoutError extends Error {}

async function fetchWithTimeout(fetch: FetchLike, url: string, timeoutMs: number): Promise<HttpResponseLike> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    return await fetch(url, { signal: controller.signal, cache: 'no-store', headers: { accept: 'application/json, text/plain' } });
  } catch (error) {
    throw timedOut ? new TimeoutError(`no answer within ${timeoutMs} ms`) : error;
  } finally {
    clearTimeout(timer);
  }
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function classify(response: HttpResponseLike, body: unknown): RunOutcome {
  const { status } = response;
  if (body === NOT_JSON) return { kind: 'not_json', status, contentType: response.headers.get('content-type') ?? 'no content type' };
  if (status === OK_STATUS) {
    const isMeowList = Array.isArray(body) && body.every((item) => typeof item === 'string');
    return isMeowList ? { kind: 'success', status, meows: body } : { kind: 'unexpected_answer', status };
  }
  if (isChainFailure(status, body)) return { kind: 'chain_failure', status, code: body.error, message: body.message, hop: body.hop };
  if (!isErrorBody(body)) return { kind: 'http_error', status };
  return { kind: 'http_error', status, code: body.error, message: body.message };
}

/** Whether an error's hop names this chain service; hosts may be qualified, e.g. node-ringo.internal. */
export function hopIsService(hop: string, service: string): boolean {
  return hop === service || hop.startsWith(`${service}.`);
}
