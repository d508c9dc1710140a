/**
 * `npm run bench -- [local|containers|soak|profile]`: each mode measures the
 * chain next to a reference of the same shape in the same run and prints the
 * ratios against issue 13's targets. Exits 0 when no request failed, 1 when
 * one did, 2 on bad usage; missed timing targets are printed, not fatal, as
 * timings on a shared machine are only meaningful as ratios.
 */
import { ConfigError } from '@ping-pong/tooling';
import { Cleanup } from './cleanup';
import { benchContainers } from './containers';
import { stopDockerCommands } from './docker';
import { benchLocal } from './local';
import { parseOptions, USAGE, type BenchOptions, type Mode } from './options';
import { profileLocal } from './profile';
import { soak } from './soak';

const RUN: Record<Mode, (options: BenchOptions, cleanup: Cleanup) => Promise<number>> = {
  local: benchLocal,
  containers: benchContainers,
  soak,
  profile: profileLocal,
};

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // npm and tsx pass a Ctrl-C on as well, so the same signal may come more than once.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping what the bench started...`);
      void stopDockerCommands()
        .then(() => cleanup.run())
        .finally(() => process.exit(130));
    });
  }
  try {
    const failures = await RUN[options.mode](options, cleanup);
    process.exitCode = failures > 0 ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
