import path from 'node:path';
import { CHAIN, memberOf, nextMember, ROUTES, type ChainMember, type ServiceName } from '@ping-pong/contract';
import { REPO_ROOT } from '@ping-pong/tooling';
import { freePort } from './ports';
import { startNode, type RunningProcess } from './process';
import { SOURCE_NODE_ARGS } from './source';
import { pollUntil } from './waiting';

const RESOLVE_CHAIN_NAMES = path.resolve(__dirname, '..', 'resolve-chain-names.cjs');

/** Where a member's production build starts: what the node image runs. */
export function memberEntry(member: ChainMember): string {
  return path.join(REPO_ROOT, 'apps', member.app, 'dist', 'main.js');
}

/** Where a member starts from its TypeScript sources: what the dev loop runs. */
export function memberSource(member: ChainMember): string {
  return path.join(REPO_ROOT, 'apps', member.app, 'src', 'main.ts');
}

export interface LocalChain {
  /** Base URL of the first member. */
  url: string;
  ports: Record<string, number>;
  /** By service name. */
  processes: Record<string, RunningProcess>;
  stop(): Promise<void>;
}

export interface LocalChainOptions {
  members?: readonly ChainMember[];
  /** Added to every member's environment. */
  env?: Record<string, string>;
  /** Where the members' stdout (their logs) goes; a file descriptor writes them to a file, as a log driver takes them. */
  stdout?: 'pipe' | 'ignore' | number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** The script each member runs; by default its production build. */
  entry?: (member: ChainMember) => string;
}

/**
 * The members' production builds (`npm run build` first) as separate
 * processes on free loopback ports, each calling the next by its service
 * name, which a preload resolves to loopback as compose's DNS would. Each gets
 * SERVICE_NAME, PORT and NEXT_HOP, as compose sets them.
 * Resolves once every member answers /ping.
 */
export async function startLocalChain({
  members = CHAIN,
  env = {},
  stdout = 'pipe',
  nodeArgs = [],
  entry = memberEntry,
}: LocalChainOptions = {}): Promise<LocalChain> {
  const ports: Record<string, number> = {};
  for (const member of members) ports[member.service] = await freePort();
  const processes: Record<string, RunningProcess> = {};
  const stop = async () => {
    await Promise.all(Object.values(processes).map((running) => running.stop()));
  };
  try {
    for (const member of members) {
      const next = nextMember(member.service, members);
      processes[member.service] = startNode(member.service, [...nodeArgs, '--require', RESOLVE_CHAIN_NAMES, entry(member)], {
        env: {
          ...env,
          SERVICE_NAME: member.service,
          PORT: String(ports[member.service]),
          NEXT_HOP: next ? `http://${next.service}:${ports[next.service]}` : '',
        },
        stdout,
      });
    }
    await Promise.all(
      members.map((member) => processes[member.service]!.waitUntilReady(`http://127.0.0.1:${ports[member.service]}${ROUTES.ping}`)),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${ports[members[0]!.service]}`, ports, processes, stop };
}

/**
 * What a member starts as when nothing but PORT is set: the name in its meow
 * and the next hop it calls (null at the end of the chain), read from its
 * `listening` log line. It runs the member's TypeScript sources, and those of
 * the workspace packages it imports, so it never tests a stale build.
 */
export async function startupDefaults(service: ServiceName): Promise<{ meow: string; nextHop: string | null }> {
  const member = memberOf(service);
  const port = await freePort();
  const running = startNode(service, [...SOURCE_NODE_ARGS, memberSource(member)], { env: { PORT: String(port) }, cleanEnv: true });
  try {
    await running.waitUntilReady(`http://127.0.0.1:${port}${ROUTES.ping}`);
    const meow = (await (await fetch(`http://127.0.0.1:${port}${ROUTES.meow}`)).json()) as string;
    const stdout = await pollUntil(
      async () => running.stdout,
      (text) => text.includes('"listening"'),
      2000,
      50,
    );
    const listening = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; nextHop?: string | null })
      .find((line) => line.msg === 'listening');
    return { meow, nextHop: listening?.nextHop ?? null };
  } finally {
    await running.stop();
  }
}
