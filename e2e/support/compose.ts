import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@ping-pong/tooling';
import { imageTag, IMAGE_PREFIX, resourcePrefix } from './images';
import { freePort } from '@ping-pong/test-support';

const execFileAsync = promisify(execFile);

export interface ComposeProject {
  readonly name: string;
  readonly gatewayUrl: string;
  /** `docker compose <args>` for this project and its files; resolves to stdout. */
  run(...args: string[]): Promise<string>;
  /**
   * Removes the project's containers, networks and volumes, and the images it
   * built itself: `local` those compose named, `all` those the file names too
   * (the dev file's own node image; never the run's shared images).
   */
  down(images?: 'local' | 'all'): Promise<void>;
}

/**
 * A compose project of this run, with its own name and a free gateway port.
 * IMAGE_PREFIX/IMAGE_TAG point docker-compose.prod.yml at the images the
 * globalSetup built.
 */
export async function composeProject(label: string, files: string[]): Promise<ComposeProject> {
  const name = `${resourcePrefix()}-${label}`;
  const port = await freePort();
  const env = {
    ...process.env,
    COMPOSE_PROJECT_NAME: name,
    GATEWAY_PORT: String(port),
    IMAGE_PREFIX,
    IMAGE_TAG: imageTag(),
  };
  const run = async (...args: string[]) => {
    const fileArgs = files.flatMap((file) => ['--file', file]);
    const { stdout } = await execFileAsync('docker', ['compose', ...fileArgs, ...args], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  };
  return {
    name,
    gatewayUrl: `http://localhost:${port}`,
    run,
    down: async (images = 'local') => void (await run('down', '--volumes', '--remove-orphans', '--rmi', images, '--timeout', '5')),
  };
}
