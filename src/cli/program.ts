/** The command tree: global options, help text and one register function per command. */
import { Command } from 'commander';
import { registerCities } from './commands/cities.js';
import { registerDiscover } from './commands/discover.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRetry } from './commands/retry.js';
import { registerSources } from './commands/sources.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerTasks } from './commands/tasks.js';
import { registerWorkers } from './commands/workers.js';
import { attachIo, type CliIo } from './context.js';
import { EXIT_CODES_HELP } from './errors.js';

export interface ProgramHooks {
  /** `start` calls this: the process must outlive the command. */
  keepRunning(): void;
  version: string;
  /** the environment and streams the commands read and write */
  io: CliIo;
}

const ENVIRONMENT_HELP = `
Environment:
  SCENESCOUT_URL        API URL (default http://127.0.0.1:$PORT, PORT default 3000)
  SCENESCOUT_API_TOKEN  bearer token for changes and operational reads`;

export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command('scenescout');
  const { stdout, stderr } = hooks.io;
  attachIo(program, hooks.io);
  // Set before the subcommands are added: they copy these settings from their parent.
  program
    .description('SceneScout Spawn: keep a city-by-city events catalogue fresh')
    .version(hooks.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (str) => stdout.write(str),
      writeErr: (str) => stderr.write(str),
      outputError: (str, write) => write(`scenescout: ${oneLine(str)}\n`),
      // As commander's own defaults, for these streams (its types say number; it takes undefined as "no wrap width").
      getOutHelpWidth: () => (stdout.isTTY ? stdout.columns : undefined) as number,
      getErrHelpWidth: () => (stderr.isTTY ? stderr.columns : undefined) as number,
    })
    .configureHelp({ showGlobalOptions: true })
    .option('--url <url>', 'API URL of a running server (default $SCENESCOUT_URL or http://127.0.0.1:$PORT)')
    .option('--token <token>', 'API token for changes (default $SCENESCOUT_API_TOKEN)')
    .option('--json', 'print one JSON document on stdout instead of text')
    .addHelpText('after', ENVIRONMENT_HELP)
    .addHelpText('afterAll', EXIT_CODES_HELP);

  registerStart(program, hooks.keepRunning);
  registerMigrate(program);
  registerDiscover(program);
  registerStatus(program);
  registerWorkers(program);
  registerTasks(program);
  registerRetry(program);
  registerCities(program);
  registerSources(program);
  return program;
}

/** commander's "error: unknown option '--x'\n(Did you mean --y?)" as one line without the prefix. */
function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}
