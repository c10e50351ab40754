/** `scenescout start`: the service (controller, schedules, HTTP API, dashboard) in this process. */
import { InvalidArgumentError, type Command } from 'commander';
import { ioOf } from '../context.js';

export function registerStart(program: Command, keepRunning: () => void): void {
  program
    .command('start')
    .description('run the service: workers, schedules, HTTP API and dashboard (configured by environment variables)')
    .option('--port <port>', 'listen on this port instead of $PORT (default 3000)', port)
    .addHelpText(
      'after',
      `
Configuration comes from the environment: DATABASE_URL (or the embedded database in
SCENESCOUT_DATA_DIR, default .scenescout/data), PORT, HOST, SCENESCOUT_API_TOKEN, LOG_LEVEL,
SPAWN_MAX_WORKERS, provider keys (TICKETMASTER_API_KEY, EVENTBRITE_TOKEN, YELP_API_KEY).
Stop with Ctrl-C (SIGINT) or SIGTERM; running tasks get SPAWN_SHUTDOWN_GRACE ms to finish.`,
    )
    .action(async (opts: { port?: number }, cmd: Command) => {
      const { env } = ioOf(cmd);
      // Loaded only here: the service brings the database, queue and HTTP libraries.
      const { runServer } = await import('../../server/run.js');
      await runServer(opts.port === undefined ? env : { ...env, PORT: String(opts.port) });
      // runServer() returns once the server listens; its signal handlers end the process.
      keepRunning();
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number, 0-65535');
  return n;
}
