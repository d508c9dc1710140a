import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ForegroundUp, requestStop, upSocket } from '../src/foreground-up';

/*
 * The foreground `up` and a `down` from another terminal, talking over a real
 * Unix socket in a temporary directory; a plain EventEmitter stands in for the
 * process's signals. Docker is not involved: what a stop does is passed in.
 */
let directory: string;
let foreground: ForegroundUp | undefined;
const terminal: string[] = [];
const signals = new EventEmitter();

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'ecs-local-up-test-'));
  terminal.length = 0;
});

afterEach(() => {
  foreground?.close();
  foreground = undefined;
  rmSync(directory, { recursive: true, force: true });
});

const listen = async (stopWhen?: Promise<string>) =>
  (foreground = await ForegroundUp.listen(upSocket(directory), { log: (line) => terminal.push(line), signals, stopWhen }));

describe('stopping a foreground up', () => {
  it('down from another terminal makes up stop, sees its progress, and returns once up is done', async () => {
    const up = await listen();
    const served = up.serve(async (reason) => {
      up.say(`stopping every task: ${reason}`);
      up.broadcast('ping-pong-production-node 1a2b3c4d: stopped; exit codes: node-john 0');
    });
    const seenByDown: string[] = [];

    const finished = await requestStop(upSocket(directory), (line) => seenByDown.push(line));

    expect(finished).toBe(true);
    expect(await served).toBe('`down` from another terminal');
    expect(seenByDown).toEqual([
      'up: stopping every task: `down` from another terminal',
      'up: ping-pong-production-node 1a2b3c4d: stopped; exit codes: node-john 0',
    ]);
    expect(terminal).toEqual(['stopping every task: `down` from another terminal']);
  });

  it('a second Ctrl-C while the tasks drain does not cut the stop short: it only says so', async () => {
    const up = await listen();
    let finishStop!: () => void;
    const served = up.serve(() => new Promise<void>((resolve) => (finishStop = resolve)));

    signals.emit('SIGINT', 'SIGINT');
    await up.stopRequested;
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGTERM', 'SIGTERM');
    finishStop();

    expect(await served).toBe('SIGINT');
    expect(terminal).toEqual([
      'SIGINT: already stopping; the tasks drain, then get SIGTERM and at most their stopTimeout',
      'SIGTERM: already stopping; the tasks drain, then get SIGTERM and at most their stopTimeout',
    ]);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('stops when its load balancer dies, as when someone removed it', async () => {
    const up = await listen(Promise.resolve('the load balancer exited (code 137)'));

    expect(await up.serve(async () => undefined)).toBe('the load balancer exited (code 137)');
  });

  it('down finds no up behind a socket a killed one left: false, and the stale socket is removed', async () => {
    const stale = upSocket(directory);
    // A listener killed with SIGKILL leaves its socket file behind, as a killed `up` does.
    const listener = spawn(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(stale)}, () => console.log('ready'))`,
    ]);
    await new Promise((resolve) => listener.stdout.once('data', resolve));
    listener.kill('SIGKILL');
    await new Promise((resolve) => listener.once('exit', resolve));
    expect(existsSync(stale)).toBe(true);

    expect(await requestStop(stale, () => undefined)).toBe(false);
    expect(existsSync(stale)).toBe(false);
  });
});
