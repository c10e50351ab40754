/**
 * Validating input against a contract: one wording for every caller (HTTP, CLI, library), so
 * a 400, a CLI message and a thrown ValidationError name a bad field the same way.
 */
import type { z } from 'zod';
import { ValidationError } from '../lib/errors.js';

/** `field: problem; other.field: problem` for the first few issues; unknown keys are named. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const at = path ? `${path}.` : '';
        return issue.keys.map((k) => `${at}${k}: unknown field`).join('; ');
      }
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Parses `input` with `schema`; a failure is a ValidationError naming each bad field, prefixed
 * with `invalid <what>: ` when `what` is given.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = formatIssues(result.error.issues);
  throw new ValidationError(what ? `invalid ${what}: ${issues}` : issues);
}
