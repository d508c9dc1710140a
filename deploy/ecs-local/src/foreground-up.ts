import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import { describeRemoved, down } from './inventory';
import type { EcsAgent } from './ecs-agent';
import { INSTANCE_LABEL, LOAD_BALANCER_CONFIG_DIR_LABEL, LOAD_BALANCER_ROLE, ROLE_LABEL } from './labels';
import type { LocalLoadBalancer } from './load-balancer';

/*
 * `up` stays in the foreground while its tasks run (its EcsAgent starts and
 * stops them). It stops when it gets SIGINT/SIGTERM, when `down` runs in
 * another terminal, or when its load balancer dies; either way it stops every
 * task as ECS does (deregister, drain, SIGTERM, stopTimeout) before anything
 * is removed. `down` reaches a running `up` through a Unix socket in the load
 * balancer's config directory, so the stop is `up`'s own and `down` never
 * kills a container `up` is managing.
 */

const SOCKET_NAME = 'up.sock';
const STOP_REQUEST = 'stop\n';
/** `up`'s last line to a waiting `down`: everything is stopped and removed. */
const DONE = 'done';

/** Where the `up` of this load balancer config directory listens for `down`. */
export function upSocket(configDir: string): string {
  return path.join(configDir, SOCKET_NAME);
}

/** Something that emits SIGINT and SIGTERM: the process, or a stand-in in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface ForegroundUpOptions {
  /** This terminal. */
  log: (line: string) => void;
  /** Default: the process. npm and tsx relay a Ctrl-C too, so one key press can arrive as several signals. */
  signals?: SignalSource;
  /** Another reason to stop, e.g. the load balancer died (LocalLoadBalancer.exited). */
  stopWhen?: Promise<string>;
}

/**
 * The foreground `up` process: listens for a stop request (a signal, `down`
 * from another terminal, `stopWhen`) and serves the first one, while every
 * waiting `down` sees the progress. Signal handlers stay installed until it
 * is closed, so a repeated Ctrl-C (or the copies npm and tsx relay) cannot
 * cut a drain short.
 */
export class ForegroundUp {
  private readonly waiting = new Set<net.Socket>();
  private request!: (reason: string) => void;
  /** Resolves with the first reason to stop. */
  readonly stopRequested = new Promise<string>((resolve) => (this.request = resolve));
  private stopping = false;
  private readonly signals: SignalSource;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (!this.stopping) this.request(signal);
    else this.options.log(`${signal}: already stopping; the tasks drain, then get SIGTERM and at most their stopTimeout`);
  };

  private constructor(
    private readonly server: net.Server,
    private readonly options: ForegroundUpOptions,
  ) {
    this.signals = options.signals ?? process;
  }

  /** Listens on `socketPath` (see upSocket) and for the signals. */
  static async listen(socketPath: string, options: ForegroundUpOptions): Promise<ForegroundUp> {
    const server = net.createServer();
    const up = new ForegroundUp(server, options);
    server.on('connection', (socket) => up.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    up.signals.on('SIGINT', up.onSignal);
    up.signals.on('SIGTERM', up.onSignal);
    void up.stopRequested.then(() => (up.stopping = true));
    void options.stopWhen?.then((reason) => up.request(reason));
    return up;
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => this.waiting.delete(socket));
    socket.on('close', () => this.waiting.delete(socket));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received !== STOP_REQUEST) return;
      this.waiting.add(socket);
      this.request('`down` from another terminal');
    });
  }

  /** A line to every `down` waiting for the stop (the agent's log lines go here too). */
  broadcast(line: string): void {
    for (const socket of this.waiting) socket.write(`${line}\n`);
  }

  /** A line to this terminal and to every waiting `down`. */
  say(line: string): void {
    this.options.log(line);
    this.broadcast(line);
  }

  /**
   * Waits for the first stop request, runs `stop` for it, then lets every
   * waiting `down` go and stops listening. Resolves with the reason.
   */
  async serve(stop: (reason: string) => Promise<void>): Promise<string> {
    const reason = await this.stopRequested;
    await stop(reason);
    this.broadcast(DONE);
    this.close();
    return reason;
  }

  /** Stops listening for signals and `down`; containers stay as they are. */
  close(): void {
    this.signals.off('SIGINT', this.onSignal);
    this.signals.off('SIGTERM', this.onSignal);
    for (const socket of this.waiting) socket.end();
    this.server.close();
  }
}

/**
 * What `up` does on a stop request: stop every task as ECS does (deregister,
 * drain, SIGTERM, stopTimeout), then remove everything this instance created.
 */
export async function stopAndRemove(
  docker: Docker,
  { agent, loadBalancer }: { agent: EcsAgent; loadBalancer: LocalLoadBalancer },
  reason: string,
  say: (line: string) => void,
): Promise<void> {
  say(`stopping every task: ${reason}`);
  await agent.stopAllTasks(`ecs:local stopping: ${reason}`);
  agent.close();
  loadBalancer.close();
  const removed = await down(docker, agent.plan.instance);
  // down finds the config directory through the load balancer's label; one removed from outside took that with it.
  rmSync(loadBalancer.configDir, { recursive: true, force: true });
  say(describeRemoved(agent.plan.instance, removed));
}

/**
 * `down` in another terminal: asks the `up` running this instance, if any, to
 * stop and remove everything, printing its progress. Resolves true once that
 * `up` has finished, false when no `up` answers or it went away before
 * finishing (then `down` removes what is left).
 */
export async function askRunningUpToStop(docker: Docker, instance: string, log: (line: string) => void): Promise<boolean> {
  const loadBalancers = await docker.listContainers({
    all: true,
    filters: { label: [`${INSTANCE_LABEL}=${instance}`, `${ROLE_LABEL}=${LOAD_BALANCER_ROLE}`] },
  });
  const configDir = loadBalancers[0]?.Labels[LOAD_BALANCER_CONFIG_DIR_LABEL];
  if (!configDir || !existsSync(upSocket(configDir))) return false;
  return requestStop(upSocket(configDir), log);
}

/** Sends the stop request on the socket and relays what comes back; true once `up` says it is done. */
export function requestStop(socketPath: string, log: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let connected = false;
    let done = false;
    const socket = net.connect(socketPath, () => {
      connected = true;
      socket.write(STOP_REQUEST);
    });
    createInterface({ input: socket })
      .on('line', (line) => {
        if (line === DONE) done = true;
        else log(`up: ${line}`);
      })
      // The socket's errors arrive here, passed on by readline.
      .on('error', (error: NodeJS.ErrnoException) => {
        // A socket left behind by an `up` that was killed: nobody listens there any more.
        if (!connected && error.code === 'ECONNREFUSED') rmSync(socketPath, { force: true });
      });
    socket.on('close', () => resolve(done));
  });
}
