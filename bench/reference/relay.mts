/*
 * The bench's reference: the chain's /start on bare node:http, one process
 * per member. Each hop calls the next one's HOP_PATH over a keep-alive
 * connection and prepends its own meow, as ping-core does, and nothing else:
 * no logs, ids, metrics, deadlines or security headers. Node runs this file
 * as is (type stripping), locally and in a node:24-trixie-slim container.
 * Environment: SERVICE_NAME, PORT, NEXT_HOP (base URL; empty ends the chain), HOP_PATH.
 */
import { Agent, createServer, request, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT);
const hopPath = process.env.HOP_PATH!;
const next = process.env.NEXT_HOP ? new URL(hopPath, process.env.NEXT_HOP) : undefined;
const meow = `meow from ${process.env.SERVICE_NAME}:${port}`;
const agent = new Agent({ keepAlive: true });

function answer(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

function callNext(done: (error: Error | null, meows: string[]) => void): void {
  if (!next) return done(null, []);
  request(next, { agent }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () =>
      res.statusCode === 200 ? done(null, JSON.parse(body) as string[]) : done(new Error(`${next.host} answered ${res.statusCode}`), []),
    );
  })
    .on('error', (error) => done(error, []))
    .end();
}

createServer((req, res) => {
  if (req.url === '/ping') return answer(res, 200, 'text/plain', 'pong');
  if (req.url !== '/start' && req.url !== hopPath) return answer(res, 404, 'text/plain', 'not found');
  callNext((error, after) => {
    if (error) return answer(res, 502, 'text/plain', error.message);
    answer(res, 200, 'application/json', JSON.stringify(req.url === hopPath ? [meow, ...after] : after));
  });
}).listen(port);
// As a container's PID 1, node gets no default SIGTERM handler.
process.once('SIGTERM', () => process.exit(0));
