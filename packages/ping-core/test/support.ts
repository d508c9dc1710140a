import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isServiceName } from '@ping-pong/contract';
import { freePort } from '@ping-pong/test-support';
import { createDeps, type AppDeps } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { createHopClient, type Lookup } from '../src/http-client';
import { createLogger } from '../src/logger';
import { listen, type RunningService } from '../src/server';

/** Log lines a service wrote, parsed. */
export interface CapturedLogs {
  lines: Array<Record<string, unknown>>;
}

/** The chain's service names resolve to loopback, as compose's DNS resolves them to containers. */
export const loopbackLookup: Lookup = (hostname, callback) =>
  isServiceName(hostname) ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(new Error(`ENOTFOUND ${hostname}`), []);

export function testDeps(config: Config, logs: CapturedLogs = { lines: [] }, overrides: Partial<AppDeps> = {}): AppDeps {
  const logger = createLogger(config, { write: (line: string) => void logs.lines.push(JSON.parse(line) as Record<string, unknown>) });
  return createDeps(config, { logger, hopClient: createHopClient({ lookup: loopbackLookup }), ...overrides });
}

export function config(serviceName: string, env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'info', ...env }, { serviceName });
}

export interface Chain {
  services: Record<string, RunningService>;
  logs: Record<string, CapturedLogs>;
  /** Base URL of the first service. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts services in this process on ephemeral ports, each relaying to the
 * next by name (node-*), like the real chain. `env` adds variables per service.
 */
export async function startChain(names: readonly string[], env: Record<string, Record<string, string>> = {}): Promise<Chain> {
  const ports = await Promise.all(names.map(() => freePort()));
  const services: Record<string, RunningService> = {};
  const logs: Record<string, CapturedLogs> = {};
  for (const [index, name] of names.entries()) {
    const next = names[index + 1];
    const serviceConfig = config(name, {
      PORT: String(ports[index]),
      NEXT_HOP: next ? `http://${next}:${ports[index + 1]}` : '',
      ...env[name],
    });
    logs[name] = { lines: [] };
    services[name] = await listen(serviceConfig, testDeps(serviceConfig, logs[name]));
  }
  return {
    services,
    logs,
    url: `http://127.0.0.1:${services[names[0]!]!.config.port}`,
    stop: async () => {
      await Promise.all(Object.values(services).map((service) => service.shutdown()));
    },
  };
}

/** A plain HTTP server on an ephemeral port, for playing a misbehaving next hop. */
export async function startRawServer(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
