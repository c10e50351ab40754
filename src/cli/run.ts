/**
 * Runs the command line on given arguments, environment and streams: turns every failure into
 * one line on stderr and an exit code (errors.ts). index.ts runs it as the `scenescout` process;
 * a caller can run the same program in its own process (the usage tests do).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { packageRoot } from '../lib/paths.js';
import type { CliIo } from './context.js';
import { EXIT, exitCodeOf, type ExitCode } from './errors.js';
import { buildProgram } from './program.js';

/** `args` are the user's (without node and the script); 'running' after `start`, whose server keeps going. */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode | 'running'> {
  let running = false;
  const program = buildProgram({ keepRunning: () => (running = true), version: readVersion(), io });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return running ? 'running' : EXIT.OK;
  } catch (err) {
    return report(err, io);
  }
}

/** Writes the one-line message (commander wrote its own) and chooses the exit code. */
function report(err: unknown, io: CliIo): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`scenescout: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return exitCodeOf(err);
}

let version: string | undefined;

function readVersion(): string {
  try {
    return (version ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}
