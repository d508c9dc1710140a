import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './ports';

const ROOT = resolve(__dirname, '../..');
const SERVICE_NAMES_PRELOAD = resolve(__dirname, 'browser-service-names.cjs');
const VITE = resolve(ROOT, 'node_modules/vite/bin/vite.js');
const CHAIN = ['john', 'paul', 'george', 'ringo'] as const;
export type Member = (typeof CHAIN)[number];

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** A process the test started, with its output kept for the failure message. */
export class RunningProcess {
  private output = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  get recentOutput(): string {
    return this.output.trim() || '(no output)';
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it does not exit in time; resolves once it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The four built services and `vite preview` of the built client in front of node-john. */
export interface BrowserStack {
  boardUrl: string;
  ports: Record<Member, number>;
  services: Record<Member, RunningProcess>;
  stop(): Promise<void>;
}

export function assertBuilt(): void {
  const missing = [
    ...CHAIN.map((member) => `apps/${member}/dist/main.js`),
    'packages/ping-core/dist/index.js',
    'apps/client/dist/index.html',
  ].filter((path) => !existsSync(resolve(ROOT, path)));
  if (missing.length > 0) {
    throw new Error(
      `The browser test runs the built apps; run \`npm run build\` at the repository root first. Missing: ${missing.join(', ')}`,
    );
  }
}

export async function startBrowserStack(): Promise<BrowserStack> {
  assertBuilt();
  const started: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((running) => running.stop()));
  };
  try {
    const ports = Object.fromEntries(await Promise.all(CHAIN.map(async (member) => [member, await freePort()]))) as Record<Member, number>;
    const services = {} as Record<Member, RunningProcess>;
    for (const [index, member] of CHAIN.entries()) {
      const next = CHAIN[index + 1];
      const service = startProcess(`node-${member}`, [`--require`, SERVICE_NAMES_PRELOAD, `apps/${member}/dist/main.js`], {
        PORT: String(ports[member]),
        NEXT_HOP: next ? `http://node-${next}:${ports[next]}` : '',
        LOG_LEVEL: 'warn',
      });
      started.push(service);
      services[member] = service;
    }
    await Promise.all(CHAIN.map((member) => waitForOk(services[member], `http://127.0.0.1:${ports[member]}/ping`)));

    const previewPort = await freePort();
    const preview = startProcess(
      'vite preview',
      [VITE, 'preview', '--host', '127.0.0.1', '--port', String(previewPort), '--strictPort'],
      {
        PING_PONG_PROXY_TARGET: `http://127.0.0.1:${ports.john}`,
      },
      resolve(ROOT, 'apps/client'),
    );
    started.push(preview);
    const boardUrl = `http://127.0.0.1:${previewPort}/`;
    await waitForOk(preview, `${boardUrl}ping`);
    return { boardUrl, ports, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startProcess(name: string, args: string[], env: Record<string, string>, cwd = ROOT): RunningProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new RunningProcess(name, child);
}

async function waitForOk(target: RunningProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!target.running) throw new Error(`${target.name} exited before it was ready:\n${target.recentOutput}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${target.name} did not answer ${url} within ${READY_TIMEOUT_MS} ms:\n${target.recentOutput}`);
}
