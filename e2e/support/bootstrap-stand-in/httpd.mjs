#!/usr/bin/env node
// The options of busybox httpd that the bootstrap revision uses, for the e2e
// test only: -f (stay in the foreground; without it, go to the background
// like busybox does), -v (log each request), -p [ip:]port, -h home. Serves
// the files under home for GET and HEAD, index.html for a directory, 404 for
// anything else; writes nothing.
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const valueOf = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const home = path.resolve(valueOf('-h', '.'));
const [host, port] = (() => {
  const listen = valueOf('-p', '80');
  const colon = listen.lastIndexOf(':');
  return colon === -1 ? ['0.0.0.0', Number(listen)] : [listen.slice(0, colon), Number(listen.slice(colon + 1))];
})();

if (!args.includes('-f')) {
  spawn(process.execPath, [process.argv[1], '-f', ...args], { detached: true, stdio: 'inherit' }).unref();
  process.exit(0);
}

async function fileFor(url) {
  const requested = path.join(home, decodeURIComponent(new URL(url, 'http://stand-in').pathname));
  if (requested !== home && !requested.startsWith(`${home}${path.sep}`)) return undefined;
  const found = await stat(requested).catch(() => undefined);
  if (!found) return undefined;
  return found.isDirectory() ? path.join(requested, 'index.html') : requested;
}

createServer(async (request, response) => {
  if (args.includes('-v')) process.stderr.write(`${request.socket.remoteAddress}:${request.socket.remotePort}: url:${request.url}\n`);
  const file = request.method === 'GET' || request.method === 'HEAD' ? await fileFor(request.url ?? '/') : undefined;
  const body = file && (await readFile(file).catch(() => undefined));
  if (!body) {
    response.writeHead(404, { 'content-type': 'text/html' }).end(request.method === 'HEAD' ? undefined : '404 Not Found\n');
    return;
  }
  response
    .writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length })
    .end(request.method === 'HEAD' ? undefined : body);
}).listen(port, host);
