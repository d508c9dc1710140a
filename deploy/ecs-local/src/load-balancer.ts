import { chmodSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { LoadBalancerSettings } from '@ping-pong/deploy-config';
import { type DieWatch, watchDeaths } from './engine-events';
import type { TargetsByGroup } from './load-balancer-config';
import { renderLoadBalancerConfig } from './load-balancer-config';
import {
  dockerName,
  INSTANCE_LABEL,
  LOAD_BALANCER_CONFIG_DIR_LABEL,
  LOAD_BALANCER_ROLE,
  LOAD_BALANCER_URL_LABEL,
  ROLE_LABEL,
} from './labels';

const NGINX_IMAGE = 'nginx:stable-trixie';
const CONFIG_IN_CONTAINER = '/etc/ecs-local/nginx.conf';

/** A port nothing listens on right now, on loopback. */
function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForListener(port: number, deadline: number): Promise<void> {
  for (;;) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true)).once('error', () => resolve(false));
      socket.unref();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    if (listening) return;
    if (Date.now() > deadline) throw new Error(`the load balancer is not listening on 127.0.0.1:${port}`);
    await sleep(200);
  }
}

export interface LoadBalancerOptions {
  /** Its port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Where a lost event stream is reported. */
  log: (line: string) => void;
}

/**
 * The ALB stand-in: an nginx container (not apps/nginx, the compose stacks'
 * gateway) on the host network, so its targets are 127.0.0.1:<dynamic host
 * port> exactly as an ALB target group registers instance:hostPort, and it
 * listens on loopback only. Its config lives in a host directory
 * bind-mounted read-only and is replaced and reloaded on every target change.
 */
export class LocalLoadBalancer {
  private exit!: (reason: string) => void;
  /** Resolves when its container dies before close() (removed or killed from outside). */
  readonly exited = new Promise<string>((resolve) => (this.exit = resolve));
  private deaths: DieWatch | undefined;

  private constructor(
    private readonly container: Docker.Container,
    /** The host directory of its nginx.conf; `up` also listens there for `down` (foreground-up.ts). */
    readonly configDir: string,
    readonly settings: LoadBalancerSettings,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(
    docker: Docker,
    instance: string,
    settings: LoadBalancerSettings,
    options: LoadBalancerOptions,
  ): Promise<LocalLoadBalancer> {
    const listenPort = options.port ?? (await freeLocalPort());
    const configDir = mkdtempSync(path.join(os.tmpdir(), `ecs-local-${instance}-`));
    // nginx runs as the unprivileged nginx user and must read the mounted directory.
    chmodSync(configDir, 0o755);
    writeFileSync(path.join(configDir, 'nginx.conf'), renderLoadBalancerConfig(settings, listenPort, {}));
    const labels = { [INSTANCE_LABEL]: instance, [ROLE_LABEL]: LOAD_BALANCER_ROLE };
    const container = await docker.createContainer({
      name: dockerName(instance, LOAD_BALANCER_ROLE),
      Image: NGINX_IMAGE,
      User: 'nginx',
      Cmd: ['nginx', '-c', CONFIG_IN_CONTAINER, '-g', 'daemon off;'],
      Labels: {
        ...labels,
        [LOAD_BALANCER_URL_LABEL]: `http://127.0.0.1:${listenPort}`,
        [LOAD_BALANCER_CONFIG_DIR_LABEL]: configDir,
      },
      // The defences the task definitions demand of their containers; nginx writes only its pid and temp files.
      HostConfig: {
        NetworkMode: 'host',
        Binds: [`${configDir}:${path.dirname(CONFIG_IN_CONTAINER)}:ro`],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'size=16m' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
      },
    });
    const loadBalancer = new LocalLoadBalancer(container, configDir, settings, listenPort);
    loadBalancer.deaths = await watchDeaths(
      docker,
      Object.entries(labels).map(([key, value]) => `${key}=${value}`),
      (died) => loadBalancer.exit(`the load balancer exited (code ${died.exitCode})`),
      (error) => options.log(`lost the engine's event stream for the load balancer: ${error.message}`),
    );
    try {
      await container.start();
      await waitForListener(listenPort, Date.now() + 15_000);
    } catch (error) {
      loadBalancer.close();
      throw error;
    }
    return loadBalancer;
  }

  private async workerPids(): Promise<string[]> {
    const { Titles, Processes } = await this.container.top();
    const pid = Titles.indexOf('PID');
    const command = Titles.indexOf('CMD');
    return (Processes as string[][]).filter((row) => row[command]?.startsWith('nginx: worker process')).map((row) => row[pid]!);
  }

  private async exec(command: string[]): Promise<void> {
    const exec = await this.container.exec({ Cmd: command, User: 'nginx', AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const output: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => output.push(chunk));
    await new Promise((resolve) => stream.on('end', resolve));
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0)
      throw new Error(`${command.join(' ')} in the load balancer exited with ${ExitCode}: ${Buffer.concat(output).toString()}`);
  }

  /**
   * Routes to exactly these targets. Resolves once every request the old
   * configuration accepted has finished (its nginx workers have exited), as an
   * ALB completes a deregistration early when a target has no request in
   * flight, or after `drainSeconds` at the latest.
   */
  async route(targets: TargetsByGroup, drainSeconds: number): Promise<void> {
    const file = path.join(this.configDir, 'nginx.conf');
    writeFileSync(`${file}.next`, renderLoadBalancerConfig(this.settings, this.port, targets));
    renameSync(`${file}.next`, file);
    const oldWorkers = await this.workerPids();
    await this.exec(['nginx', '-c', CONFIG_IN_CONTAINER, '-t', '-q']);
    await this.exec(['nginx', '-c', CONFIG_IN_CONTAINER, '-s', 'reload']);
    const deadline = Date.now() + drainSeconds * 1000;
    while (Date.now() < deadline) {
      const workers = await this.workerPids();
      if (!workers.some((pid) => oldWorkers.includes(pid)) && workers.length > 0) return;
      await sleep(100);
    }
  }

  /** Stops watching for its death; the container runs on until `down`. */
  close(): void {
    this.deaths?.close();
  }
}
