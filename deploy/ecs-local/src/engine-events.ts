import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

/** The labels (and `exitCode`) of a container the engine reports as died. */
export type DiedContainer = Readonly<Record<string, string>>;

export interface DieWatch {
  /** Stops watching; nothing is reported after it. */
  close(): void;
}

/**
 * Reports every container with all of `labels` (`key=value`) that dies, from
 * the engine's event stream, until closed. A lost stream is reported once
 * through `onLost`; a container that dies after that goes unnoticed.
 */
export async function watchDeaths(
  docker: Docker,
  labels: readonly string[],
  onDie: (container: DiedContainer) => void,
  onLost: (error: Error) => void,
): Promise<DieWatch> {
  const events = (await docker.getEvents({ filters: { type: ['container'], event: ['die'], label: [...labels] } })) as Readable;
  let closed = false;
  // One JSON object per line; the stream's errors arrive here too, passed on by readline.
  createInterface({ input: events })
    .on('line', (line) => {
      if (closed || line === '') return;
      onDie((JSON.parse(line) as { Actor: { Attributes: DiedContainer } }).Actor.Attributes);
    })
    .on('error', (error) => {
      if (!closed) onLost(error);
    });
  return {
    close() {
      closed = true;
      events.destroy();
    },
  };
}
