import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROUTES } from '@ping-pong/contract';

export interface LoadResult {
  served: number;
  failed: number;
  failures: string[];
}

/** However a test ends, no loop outlives this. */
const MAX_LOAD_MS = 120_000;

/**
 * `clients` callers in a loop, each waiting `pauseMs` between calls so the
 * load stays bounded on a shared 2-core machine; a call fails unless it
 * answers 200 with exactly `expected`. The loop runs until `stop()`, and never
 * longer than two minutes.
 */
export function loadLoop(url: string, expected: string, clients: number, pauseMs: number): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { served: 0, failed: 0, failures: [] };
  let running = true;
  const givesUpAt = Date.now() + MAX_LOAD_MS;
  const client = async () => {
    while (running && Date.now() < givesUpAt) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        const body = await response.text();
        if (response.status === 200 && body === expected) result.served += 1;
        else {
          result.failed += 1;
          result.failures.push(`${response.status} ${body}`);
        }
      } catch (error) {
        result.failed += 1;
        result.failures.push(String((error as Error).cause ?? error));
      }
      await sleep(pauseMs);
    }
  };
  const clientsDone = Promise.all(Array.from({ length: clients }, client));
  return {
    stop: async () => {
      running = false;
      await clientsDone;
      return result;
    },
  };
}

export interface SlowClients {
  /** How many of the connections the server has closed so far. */
  readonly closedByServer: number;
  /** Closes whatever is still open. */
  stop(): void;
}

/**
 * `count` connections to `baseUrl` that each start a GET /ping and then send
 * one more header line a second, never finishing the request (a slowloris).
 * Resolves once every connection is established.
 */
export async function slowHeaderClients(baseUrl: string, count: number): Promise<SlowClients> {
  const { hostname, port } = new URL(baseUrl);
  let closedByServer = 0;
  let stopping = false;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(Number(port), hostname, () => {
            socket.off('error', reject).on('error', () => {});
            socket.write(`GET ${ROUTES.ping} HTTP/1.1\r\nHost: ${hostname}\r\n`);
            resolve(socket);
          });
          socket.once('error', reject);
          socket.on('close', () => {
            if (!stopping) closedByServer += 1;
          });
        }),
    ),
  );
  const trickle = setInterval(() => sockets.forEach((socket) => socket.writable && socket.write('X-Slow: 1\r\n')), 1000);
  return {
    get closedByServer() {
      return closedByServer;
    },
    stop() {
      stopping = true;
      clearInterval(trickle);
      sockets.forEach((socket) => socket.destroy());
    },
  };
}
