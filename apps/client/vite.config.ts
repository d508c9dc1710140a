import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * Where `vite` and `vite preview` send /start and /ping: the local node-john
 * of `npm run dev`, or another john (the browser test starts its own on a
 * free port) through PING_PONG_PROXY_TARGET.
 */
function proxyTarget(): string {
  const target = process.env.PING_PONG_PROXY_TARGET?.trim() || 'http://localhost:3001';
  if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) {
    throw new Error(`PING_PONG_PROXY_TARGET must be an http(s) URL like http://localhost:3001, got ${JSON.stringify(target)}`);
  }
  return target;
}

const target = proxyTarget();
const proxy: Record<string, ProxyOptions> = {
  '/start': { target },
  '/ping': { target },
};

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
});
