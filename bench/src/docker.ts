import { spawn, type ChildProcess } from 'node:child_process';

/** docker commands still running, so an interrupted bench can stop them before it cleans up. */
const running = new Set<ChildProcess>();

/**
 * Runs `docker <args>` and resolves with its stdout; a non-zero exit rejects
 * with the command and the end of its output, so a failed build says why.
 * It runs in its own process group, so Ctrl-C reaches the bench, which stops
 * it (stopDockerCommands) and then cleans up, instead of cutting the
 * clean-up's own commands short.
 */
export function docker(
  args: readonly string[],
  { env = {}, input }: { env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output = (output + chunk.toString()).slice(-4000);
    });
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      if (code === 0) resolve(stdout);
      else reject(new Error(`docker ${args.join(' ')} exited ${code}:\n${output.trim()}`));
    });
    child.stdin.end(input);
  });
}

/** Interrupts every docker command still running (a build, an up) and waits for them to exit. */
export async function stopDockerCommands(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGINT');
        }),
    ),
  );
}
