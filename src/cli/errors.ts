/**
 * The CLI's exit codes, chosen from the coded errors of src/lib/errors.ts: commands throw the
 * error that says what went wrong, and `exitCodeOf` is the one place that turns it into a code.
 */
import { UnreachableError } from '../lib/errors.js';

export const EXIT = {
  OK: 0,
  /** the operation ran and failed (a task failed, the server answered 5xx/409/429) */
  FAILED: 1,
  /** bad usage or input: unknown command/option, invalid value, the server's 400 */
  USAGE: 2,
  /** no server answered at the API URL */
  UNREACHABLE: 3,
  /** the thing named does not exist (404) */
  NOT_FOUND: 4,
  /** the server refused the change: missing or wrong API token (401) */
  UNAUTHORIZED: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the operation failed (e.g. a discovery task failed)
  2  usage or validation error
  3  no SceneScout server at the API URL
  4  not found (unknown task or city)
  5  unauthorized: missing or wrong API token (--token or SCENESCOUT_API_TOKEN)`;

/** The exit code of a server's HTTP answer that was not a success. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.UNAUTHORIZED;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 400 || status === 413 || status === 422) return EXIT.USAGE;
  return EXIT.FAILED;
}

/** Matched on the stable `code`, so an error from any copy of the library maps the same. */
export function exitCodeOf(err: unknown): ExitCode {
  const e = err as { code?: unknown; status?: unknown } | null;
  switch (e?.code) {
    case 'ERR_VALIDATION':
    case 'ERR_CONFIG':
      return EXIT.USAGE;
    case 'ERR_NOT_FOUND':
      return EXIT.NOT_FOUND;
    case 'ERR_UNREACHABLE':
      return EXIT.UNREACHABLE;
    case 'ERR_HTTP':
      return typeof e.status === 'number' ? exitCodeForStatus(e.status) : EXIT.FAILED;
    default:
      return EXIT.FAILED;
  }
}

export function unreachable(url: string): UnreachableError {
  return new UnreachableError(url, `no SceneScout server at ${url}: start one with "scenescout start" or pass --url`);
}
