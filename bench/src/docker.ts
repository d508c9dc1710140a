import { spawn } from 'node:child_process';

/**
 * Runs `docker <args>` and resolves with its stdout; a non-zero exit rejects
 * with the command and the end of its output, so a failed build says why.
 */
export function docker(
  args: readonly string[],
  { env = {}, input }: { env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output = (output + chunk.toString()).slice(-4000);
    });
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`docker ${args.join(' ')} exited ${code}:\n${output.trim()}`)),
    );
    child.stdin.end(input);
  });
}
