import { createServer } from 'node:net';

/**
 * A loopback port the OS just handed out and nothing listens on now (a tiny
 * race with other processes, fine on a test machine).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}
