import { createServer } from 'node:net';

/**
 * A localhost port the OS just handed out and nothing listens on now, so a
 * stack started on it cannot collide with anything left running (a tiny race
 * with other processes, fine on a test machine).
 */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port assigned'))));
    });
  });
}
