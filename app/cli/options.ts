// Reading the command line: parseArgs's own mistakes and every bad value (a number, a date, an
// id, a choice) become usage errors that say what was expected, so `cairn` exits 2 with one
// line instead of a stack trace or "received NaN".
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CairnError } from '../contract/index.ts';

/** parseArgs, with its errors (unknown option, missing value) as usage errors. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new CairnError('usage', (error as Error).message.replace(/\s*\n\s*/g, ' '), { cause: error });
    }
    throw error;
  }
}

/** A whole number from 1 up (to `max`, when given). */
export function positiveInteger(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new CairnError('usage', `${flag} must be a positive whole number (got "${value}").`);
  if (n > max) throw new CairnError('usage', `${flag} can be at most ${max} (got "${value}").`);
  return n;
}

/** A whole number from 0 up (an offset). */
export function nonNegativeInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new CairnError('usage', `${flag} must be a whole number from 0 (got "${value}").`);
  return Number(value);
}

/** The id of something stored (a source, a conversation): a positive whole number. */
export function idOption(value: string, flag: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new CairnError('usage', `${flag} must be ${what} id, a positive whole number (got "${value}").`);
  return n;
}

/** A TCP port: 1–65535, or from 0 when `allowAny` (0 asks the system for a free one). */
export function portOption(value: string, allowAny = false): number {
  const n = Number(value);
  const lowest = allowAny ? 0 : 1;
  if (!/^\d+$/.test(value.trim()) || n < lowest || n > 65_535) {
    throw new CairnError('usage', `--port must be a port number from ${lowest} to 65535 (got "${value}")${allowAny ? '; 0 picks a free one' : ''}.`);
  }
  return n;
}

/** A date for --after/--before, checked as search reads it (ISO 8601: 2026-03-01, 2026-03-01T09:00). */
export function dateOption(value: string, flag: string): string {
  if (!Number.isFinite(Date.parse(value))) throw new CairnError('usage', `${flag} must be a date such as 2026-03-01 (got "${value}").`);
  return value;
}

/** A value from a fixed set, or a usage error that lists the set. */
export function choice<T extends string>(schema: { options: readonly T[] }, value: string, flag: string): T {
  if ((schema.options as readonly string[]).includes(value)) return value as T;
  throw new CairnError('usage', `${flag} must be one of ${schema.options.join(', ')} (got "${value}").`);
}
