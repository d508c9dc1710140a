import { CHAIN, DEFAULT_REQUEST_DEADLINE_MS, nextHopUrl, SERVICE_PORT, type ServiceName } from '@ping-pong/contract';
import { z } from 'zod';

/** A service's own name and where its chain goes unless NEXT_HOP says otherwise. */
export interface ServiceDefaults {
  serviceName: string;
  nextHop?: string;
}

/** A chain member's defaults, from the contract: its name and the next member on the container port. */
export function memberDefaults(service: ServiceName): ServiceDefaults {
  const nextHop = nextHopUrl(service);
  return nextHop ? { serviceName: service, nextHop } : { serviceName: service };
}

export interface Config {
  readonly serviceName: string;
  readonly port: number;
  /** Base URL of the next service, or undefined at the end of the chain. */
  readonly nextHop: URL | undefined;
  readonly requestDeadlineMs: number;
  readonly maxHops: number;
  readonly logLevel: LogLevel;
  /** Allowed browser origins; empty means no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  readonly shutdownTimeoutMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A service's environment variable is missing or malformed: startup stops with this one line. */
export class EnvironmentVariableError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid environment: ${variable} ${problem}`);
    this.name = 'EnvironmentVariableError';
  }
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const httpUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname, error: `must be an http(s) URL such as ${nextHopUrl(CHAIN[0].service)}` })
  .transform((value) => new URL(value))
  .refine((url) => url.pathname === '/' && !url.search && !url.hash, 'must be a base URL with no path, query or fragment');

const origin = z
  .string()
  .refine(
    (value) => value === '*' || (URL.canParse(value) && new URL(value).origin === value),
    'must be "*" or origins like https://example.com',
  );

const schema = z.object({
  SERVICE_NAME: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be a DNS label (letters, digits, dashes)'),
  PORT: integer(1, 65535).default(SERVICE_PORT),
  NEXT_HOP: httpUrl.optional(),
  REQUEST_DEADLINE_MS: integer(100, 60_000).default(DEFAULT_REQUEST_DEADLINE_MS),
  MAX_HOPS: integer(1, 64).default(8),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin))
    .default([]),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
});

type Environment = Record<string, string | undefined>;

/**
 * Parses the environment once. An empty value counts as unset, so compose's
 * `${VAR:-}` and ECS's empty strings behave like a missing variable; an empty
 * NEXT_HOP therefore ends the chain.
 */
export function loadConfig(env: Environment, defaults: ServiceDefaults): Config {
  const input: Environment = { SERVICE_NAME: defaults.serviceName, NEXT_HOP: defaults.nextHop };
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined) input[key] = value.trim() === '' ? undefined : value.trim();
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const value = input[variable];
    throw new EnvironmentVariableError(variable, `${value === undefined ? '(unset)' : JSON.stringify(value)}: ${issue.message}`);
  }
  const values = parsed.data;
  return Object.freeze({
    serviceName: values.SERVICE_NAME,
    port: values.PORT,
    nextHop: values.NEXT_HOP,
    requestDeadlineMs: values.REQUEST_DEADLINE_MS,
    maxHops: values.MAX_HOPS,
    logLevel: values.LOG_LEVEL,
    corsOrigins: Object.freeze(values.CORS_ORIGINS),
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
  });
}
