import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * JSON lines on stdout, one object per line, with the level as a word and an
 * ISO time, which CloudWatch Logs Insights parses without configuration.
 * Writes are asynchronous (lines that pile up during a write go out together)
 * but never held back, so `docker logs` shows a request as soon as it is done;
 * the server flushes at shutdown.
 */
export function createLogger(config: Pick<Config, 'serviceName' | 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: config.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
