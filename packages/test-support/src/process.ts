import { spawn, type ChildProcess } from 'node:child_process';
import { waitUntilReady } from './waiting';

const STOP_TIMEOUT_MS = 5_000;
/** Output kept per process: enough for every test that reads it, bounded for long benches. */
const MAX_OUTPUT_CHARS = 1024 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process a test or the bench started, with its output kept for assertions and failure messages. */
export class RunningProcess {
  private stdoutText = '';
  private stderrText = '';
  readonly exited: Promise<Exit>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdoutText = (this.stdoutText + chunk.toString()).slice(-MAX_OUTPUT_CHARS)));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderrText = (this.stderrText + chunk.toString()).slice(-MAX_OUTPUT_CHARS)));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The last lines of both streams, for a failure message. */
  get recentOutput(): string {
    return `${this.stdoutText}${this.stderrText}`.slice(-4000).trim() || '(no output)';
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once `url` answers 2xx; fails at once, with the output, if the process exits first. */
  waitUntilReady(url: string, timeoutMs?: number): Promise<void> {
    return waitUntilReady(url, { timeoutMs, alive: () => this.running, describe: () => `${this.name}: ${this.recentOutput}` });
  }

  /** SIGTERM, then SIGKILL if it does not exit in time; resolves once it is gone. */
  async stop(): Promise<Exit> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}

export interface ProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Replace the inherited environment instead of adding to it (startup tests). */
  cleanEnv?: boolean;
  /** Where stdout goes: kept in memory (default), discarded, or an open file descriptor (a log file). */
  stdout?: 'pipe' | 'ignore' | number;
}

/** Runs `node <args>`: the same Node that runs the tests. */
export function startNode(
  name: string,
  args: string[],
  { env = {}, cwd, cleanEnv = false, stdout = 'pipe' }: ProcessOptions = {},
): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: cleanEnv ? { PATH: process.env.PATH, ...env } : { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  return new RunningProcess(name, child);
}
