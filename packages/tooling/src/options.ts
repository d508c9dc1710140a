import { ConfigError } from './config-error';

export interface WholeNumberRange {
  /** Default: 1. */
  min?: number;
  max?: number;
}

/**
 * A command-line option or environment variable that must be a whole number
 * in a range: undefined when not given, the number when it is one, else a
 * ConfigError naming the option and the value. Only digits count: `2.5`,
 * `1e3`, `0x10` and ` 7` are refused, not rounded or coerced.
 */
export function parseWholeNumber(name: string, value: string | undefined, { min = 1, max }: WholeNumberRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || (max !== undefined && number > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError([`${name} ${JSON.stringify(value)}: must be a whole number ${range}`]);
  }
  return number;
}
