import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode, type ServiceName } from '@ping-pong/contract';
import { createApp, createDeps, type AppDeps } from './app';
import { EnvironmentVariableError, loadConfig, memberDefaults, type Config } from './config';

/** Node's own limit, named here because the headers_too_large answer below states it. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * How long a client may take to send its headers, and its whole request (no
 * route takes a body over 16 KiB). What sits in front (the gateway, the ALB)
 * sends a request at once; anything slower is a slow client holding a socket,
 * answered 408. Node looks for such requests every CONNECTIONS_CHECK_MS.
 */
export const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECTIONS_CHECK_MS = 1_000;

export interface RunningService {
  readonly config: Config;
  readonly server: Server;
  readonly deps: AppDeps;
  /** Drains and closes; resolves true when every request finished in time. */
  shutdown(): Promise<boolean>;
}

/** Creates the HTTP server for an app: header limits and clean answers for malformed requests. */
export function listen(config: Config, deps: AppDeps, port = config.port): Promise<RunningService> {
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    },
    createApp(config, deps),
  );
  // Longer than any load balancer's idle timeout (ALB: 60 s; the gateway's pool: 60 s), so the proxy closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket));

  let closing: Promise<boolean> | undefined;
  const shutdown = (): Promise<boolean> => {
    closing ??= drain(server, config, deps);
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve({ config, server, deps, shutdown });
    });
  });
}

/** Requests Node rejects before they reach express still get a JSON answer. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const [code, message]: [ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['headers_too_large', `request headers are limited to ${MAX_HEADER_BYTES} bytes`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', 'the request was not received in time']
        : ['bad_request', 'malformed HTTP request'];
  const status = ERROR_STATUS[code];
  const body = JSON.stringify({ error: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * /ping turns 503, the listener closes (idle keep-alive sockets with it),
 * requests in flight finish and their sockets close after the answer. If they
 * take longer than SHUTDOWN_TIMEOUT_MS the rest are cut off.
 */
function drain(server: Server, config: Config, deps: AppDeps): Promise<boolean> {
  deps.lifecycle.draining = true;
  deps.logger.info({ timeoutMs: config.shutdownTimeoutMs }, 'draining');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      deps.logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; closing the remaining connections');
      server.closeAllConnections();
      resolve(false);
    }, config.shutdownTimeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve(true);
    });
  }).then(async (clean) => {
    await deps.hopClient.close();
    deps.logger.info('stopped');
    await new Promise<void>((resolve) => deps.logger.flush(() => resolve()));
    return clean as boolean;
  });
}

/**
 * The whole life of a chain member's process: config from the environment
 * over the member's defaults (a bad value stops it with one line naming the
 * variable), listen, and drain on SIGTERM/SIGINT, exiting 0 when everything
 * in flight was answered.
 */
export async function startService(member: ServiceName, env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  let config: Config;
  try {
    config = loadConfig(env, memberDefaults(member));
  } catch (error) {
    if (!(error instanceof EnvironmentVariableError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const deps = createDeps(config);
  const service = await listen(config, deps).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(`Cannot listen on port ${config.port}: ${error.code ?? error.message}\n`);
    process.exit(1);
  });
  deps.logger.info({ port: config.port, nextHop: config.nextHop?.href ?? null }, 'listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      deps.logger.info({ signal }, 'shutdown requested');
      void service.shutdown().then((clean) => process.exit(clean ? 0 : 1));
    });
  }
  return service;
}
