/**
 * The one place in src/ that reads `process.env` (a test searches the source tree for any
 * other). Everything else receives typed config objects built by spawn.ts, service.ts and
 * cli.ts, each validating only the variables it names, so a command that needs only the
 * server URL is not stopped by a bad SPAWN_* value.
 */
import cronParser from 'cron-parser';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';

export type Env = Record<string, string | undefined>;

/** The process's environment, read when a config is loaded (never at import). */
export function currentEnv(): Env {
  return process.env;
}

/** `true`/`false`/`1`/`0`: anything else is an error, so a typo never flips a switch. */
export const bool = z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }).transform((v) => v === 'true' || v === '1');
export const posInt = z.coerce.number().int().positive();
export const nonNegInt = z.coerce.number().int().nonnegative();
export const port = z.coerce.number().int().min(0).max(65535);
/** A cron expression as pg-boss's scheduler reads it (5 fields, UTC), checked before anything opens. */
export function isCron(value: string): boolean {
  if (value.trim().split(/\s+/).length !== 5) return false;
  try {
    cronParser.parseExpression(value, { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}
export const CRON_MESSAGE = 'must be a cron expression of 5 fields (minute hour day month weekday), e.g. "0 */6 * * *"';
export const cron = z.string().refine(isCron, CRON_MESSAGE);
/** Tokens are compared, never printed; short ones are guessable. */
export const apiToken = z.string().min(16, 'must be at least 16 characters');

/** A value for an error message: never a secret, even a malformed one. */
function showValue(key: string, value: string | undefined): string {
  if (/KEY|TOKEN|SECRET|PASSWORD/.test(key)) return '[redacted]';
  if (value && /_URL$/.test(key)) return JSON.stringify(value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@'));
  return JSON.stringify(value);
}

/** Validates the variables `schema` names; the ConfigError lists each bad one with its (redacted) value. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `${key}=${showValue(key, env[key])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}
