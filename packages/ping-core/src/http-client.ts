import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

export type HopFailure = 'unreachable' | 'timeout' | 'invalid_response';

/** A call to the next hop that produced no usable HTTP answer. */
export class HopCallError extends Error {
  constructor(
    readonly failure: HopFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HopCallError';
  }
}

export interface HopResponse {
  status: number;
  /** The parsed JSON body; a body that is not JSON is a HopCallError instead. */
  body: unknown;
}

/** Where a call goes, split once instead of parsing a URL on every call. */
export interface HopTarget {
  /** `http://node-paul:3000` */
  origin: string;
  /** `/hop` */
  path: string;
}

export function hopTarget(url: URL): HopTarget {
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

export interface HopClient {
  getJson(target: HopTarget, options: { timeoutMs: number; headers: Record<string, string> }): Promise<HopResponse>;
  close(): Promise<void>;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * Per address. A peer on the same Docker network or host accepts within
 * milliseconds; an address that stays silent this long is a container that
 * just went away (its address still listed for a moment), so the next one is
 * tried well within the chain's budget.
 */
export const CONNECT_TIMEOUT_MS = 1000;

/** No connection to this address: try the name's next one. */
const TRY_NEXT_ADDRESS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Errors raised before the peer could have acted on the request: no
 * connection at all, or a pooled one the peer had closed. Safe to send again
 * (a new connection resolves the name again).
 */
const RETRYABLE_CODES = new Set([...TRY_NEXT_ADDRESS, 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Resolves a name to every address it has, like dns.lookup with `all: true`. */
export type Lookup = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

/**
 * The system resolver, except that every `*.localhost` name is loopback
 * (RFC 6761), so the no-Docker dev loop can call hops by service name
 * (`http://node-paul.localhost:3002`) and failures name the right hop.
 */
const systemLookup: Lookup = (hostname, callback) =>
  dnsLookup(hostname.endsWith('.localhost') ? 'localhost' : hostname, { all: true }, callback);

/**
 * Connects to one of the addresses a name resolves to, trying the next one
 * when a connection is refused. During a rolling replacement a service name
 * resolves to the old container (whose listener is already closed) and the
 * new one; this finds the live one instead of failing the request.
 */
function connectToAnyAddress(lookup: Lookup, connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const hostname = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(hostname)) return connect(options, callback);
    const resolved = (lookupError: Error | null, addresses: LookupAddress[]): void => {
      if (lookupError) return callback(lookupError, null);
      const start = Math.floor(Math.random() * addresses.length);
      const attempt = (tried: number): void => {
        const address = addresses[(start + tried) % addresses.length]!.address;
        connect({ ...options, hostname: address }, (error, socket) => {
          if (error && TRY_NEXT_ADDRESS.has(errorCode(error) ?? '') && tried + 1 < addresses.length) return attempt(tried + 1);
          if (error) return callback(error, null);
          callback(null, socket!);
        });
      };
      attempt(0);
    };
    // A resolver that throws fails this call like one that reports an error.
    try {
      lookup(hostname, resolved);
    } catch (error) {
      callback(error as Error, null);
    }
  };
}

/**
 * One GET dispatched to undici, its body collected into a string: no response
 * stream, no AbortSignal. cancel() ends it at once, also before it reached a
 * socket (it is then aborted as soon as it does).
 */
class HopCall implements Dispatcher.DispatchHandler {
  readonly answered: Promise<{ status: number; text: string }>;
  private resolve!: (answer: { status: number; text: string }) => void;
  private reject!: (error: Error) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private cancelled: Error | undefined;
  private settled = false;
  private status = 0;
  private readonly chunks: Buffer[] = [];

  constructor() {
    this.answered = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  cancel(reason: Error): void {
    if (this.settled) return;
    this.cancelled = reason;
    this.controller?.abort(reason);
    this.onResponseError(undefined, reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cancelled) controller.abort(this.cancelled);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number): void {
    this.status = status;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ status: this.status, text: (this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)).toString() });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined | null, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}

/**
 * The services' one outbound HTTP setup: a keep-alive pool per origin (undici,
 * chosen over axios by measurement, see docs/performance.md), a total per-call
 * timeout, and one retry when a pooled connection turns out to be dead.
 */
export function createHopClient({
  lookup = systemLookup,
  connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS }),
}: {
  lookup?: Lookup;
  /** Connects to one address; tests stand in for a peer that never answers, which no local socket can play. */
  connect?: buildConnector.connector;
} = {}): HopClient {
  const agent = new Agent({
    connect: connectToAnyAddress(lookup, connect),
    // Below the servers' keep-alive timeout, so the client closes idle sockets first.
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 30_000,
    maxResponseSize: MAX_RESPONSE_BYTES,
  });

  async function attempt(call: HopCall, target: HopTarget, headers: Record<string, string>): Promise<HopResponse> {
    agent.dispatch({ origin: target.origin, path: target.path, method: 'GET', headers }, call);
    const { status, text } = await call.answered;
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch (error) {
      throw new HopCallError('invalid_response', `answered ${status} with a body that is not JSON`, { cause: error });
    }
  }

  return {
    async getJson(target, { timeoutMs, headers }) {
      let call: HopCall | undefined;
      // One timer for the call and its retry: the budget is the call's, not each attempt's.
      const timer = setTimeout(() => call?.cancel(new HopCallError('timeout', `did not answer within ${timeoutMs} ms`)), timeoutMs);
      try {
        for (let tries = 1; ; tries++) {
          call = new HopCall();
          try {
            return await attempt(call, target, headers);
          } catch (error) {
            if (error instanceof HopCallError) throw error;
            const code = errorCode(error);
            if (tries < 2 && code && RETRYABLE_CODES.has(code)) continue;
            if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
              throw new HopCallError('invalid_response', `answered with more than ${MAX_RESPONSE_BYTES} bytes`, { cause: error });
            }
            throw new HopCallError('unreachable', describeNetworkError(code), { cause: error });
          }
        }
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}

function describeNetworkError(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be resolved';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'closed the connection before answering';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'could not be reached';
    default:
      // Only a code like EPROTO: an error's message is internal (it may name
      // addresses, files or secrets) and goes to the log, not to the caller.
      return code && /^[A-Z][A-Z0-9_]{0,39}$/.test(code) ? `could not be called (${code})` : 'could not be called';
  }
}
