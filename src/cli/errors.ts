/** Exit codes and the one error type the CLI's commands throw to choose one. */

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

/** An error whose message is written for the user, with the exit code it ends the run with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function unreachable(url: string): CliError {
  return new CliError(`no SceneScout server at ${url}: start one with "scenescout start" or pass --url`, EXIT.UNREACHABLE);
}
