/**
 * Loads GET /start and prints requests/s, latency and errors.
 *
 * Without BENCH_URL it starts the four services from their production builds
 * as separate processes on free ports, wired into the chain; with BENCH_URL
 * (e.g. http://localhost:8080/start) it loads whatever is running there.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const CHAIN = ['john', 'paul', 'george', 'ringo'] as const;
const TARGET = { requestsPerSecond: 900, p99Ms: 60 };

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} before answering`);
    if (
      await fetch(url).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer within 10 s`);
}

/** Starts ringo first so each service's next hop is up when it starts. */
async function startChain(): Promise<{ url: string; stop(): Promise<void> }> {
  const ports = await Promise.all(CHAIN.map(() => freePort()));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        return once(child, 'exit');
      }),
    );
  };
  try {
    for (let index = CHAIN.length - 1; index >= 0; index--) {
      const name = CHAIN[index]!;
      const entry = join(dirname(require.resolve(`@ping-pong/${name}/package.json`)), 'dist', 'main.js');
      const child = spawn(process.execPath, [entry], {
        env: {
          ...process.env,
          PORT: String(ports[index]),
          NEXT_HOP: index + 1 < CHAIN.length ? `http://localhost:${ports[index + 1]}` : '',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        },
        // Logs are written as in production, then discarded.
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      await waitForPing(`http://localhost:${ports[index]}/ping`, child);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://localhost:${ports[0]}/start`, stop };
}

async function main(): Promise<void> {
  const connections = positiveInteger('BENCH_CONNECTIONS', 32);
  const duration = positiveInteger('BENCH_DURATION', 15);
  const chain = process.env.BENCH_URL ? undefined : await startChain();
  const url = process.env.BENCH_URL ?? chain!.url;
  console.log(`Loading GET ${url} with ${connections} connections for ${duration} s${chain ? ' (four local processes)' : ''}...`);
  try {
    // A short warm-up so JIT and connection pools are settled before measuring.
    await autocannon({ url, connections, duration: 2 });
    const result = await autocannon({ url, connections, duration });
    const failed = result.errors + result.timeouts + result.non2xx;
    console.table({
      'GET /start': {
        'requests/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'max ms': result.latency.max,
        requests: result.requests.total,
        failed,
      },
    });
    const met = failed === 0 && result.requests.average >= TARGET.requestsPerSecond && result.latency.p99 < TARGET.p99Ms;
    console.log(
      `Target (0 failed, >= ${TARGET.requestsPerSecond} requests/s, p99 < ${TARGET.p99Ms} ms): ${met ? 'met' : 'missed'}` +
        (failed > 0 ? ` — ${result.errors} connection errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers` : ''),
    );
    process.exitCode = failed > 0 ? 1 : 0;
  } finally {
    await chain?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
