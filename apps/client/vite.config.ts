import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';
// By path, not by package name: Vite bundles this file before any resolve
// condition applies, and the contract's build may not exist yet in the dev loop.
import { CHAIN, PUBLIC_ROUTES } from '../../packages/contract/src/index.ts';

/**
 * Where `vite` and `vite preview` send /start and /ping: the local node-john
 * of `npm run dev`, or another john (the browser test starts its own on a
 * free port) through PING_PONG_PROXY_TARGET.
 */
function proxyTarget(): string {
  const target = process.env.PING_PONG_PROXY_TARGET?.trim() || `http://localhost:${CHAIN[0].devPort}`;
  if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) {
    throw new Error(`PING_PONG_PROXY_TARGET must be an http(s) URL like http://localhost:3001, got ${JSON.stringify(target)}`);
  }
  return target;
}

const target = proxyTarget();
const proxy: Record<string, ProxyOptions> = Object.fromEntries(PUBLIC_ROUTES.map((route) => [route, { target }]));

export default defineConfig({
  plugins: [react()],
  // Workspace packages are compiled from their TypeScript source, as in the services' dev loop.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: { proxy },
  preview: { proxy },
});
