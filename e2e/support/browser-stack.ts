import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHAIN } from '@ping-pong/contract';
import { freePort, memberEntry, startLocalChain, startNode, type LocalChain, type RunningProcess } from '@ping-pong/test-support';
import { REPO_ROOT } from '@ping-pong/tooling';

const VITE = resolve(REPO_ROOT, 'node_modules/vite/bin/vite.js');

/** The four built services as local processes and `vite preview` of the built client in front of the first. */
export interface BrowserStack {
  boardUrl: string;
  chain: LocalChain;
  stop(): Promise<void>;
}

export function assertBuilt(): void {
  const missing = [...CHAIN.map(memberEntry), resolve(REPO_ROOT, 'apps/client/dist/index.html')].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `The browser test runs the built apps; run \`npm run build\` at the repository root first. Missing: ${missing.join(', ')}`,
    );
  }
}

export async function startBrowserStack(): Promise<BrowserStack> {
  assertBuilt();
  const chain = await startLocalChain({ env: { LOG_LEVEL: 'warn' } });
  let preview: RunningProcess | undefined;
  const stop = async () => {
    await Promise.all([preview?.stop(), chain.stop()]);
  };
  try {
    const previewPort = await freePort();
    preview = startNode('vite preview', [VITE, 'preview', '--host', '127.0.0.1', '--port', String(previewPort), '--strictPort'], {
      env: { PING_PONG_PROXY_TARGET: chain.url },
      cwd: resolve(REPO_ROOT, 'apps/client'),
    });
    const boardUrl = `http://127.0.0.1:${previewPort}/`;
    await preview.waitUntilReady(`${boardUrl}ping`);
    return { boardUrl, chain, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
