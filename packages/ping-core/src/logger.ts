import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * JSON lines on stdout, one object per line, with the level as a word and an
 * ISO time, which CloudWatch Logs Insights parses without configuration.
 * Writes are buffered (flushed at shutdown) so logging stays off the hot path.
 */
export function createLogger(config: Pick<Config, 'serviceName' | 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: config.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}
