#!/usr/bin/env node
/**
 * `scenescout`: the command line. Runs the program, turns every failure into one line on
 * stderr and an exit code (errors.ts), and exits once output is flushed — except after
 * `start`, whose server keeps the process alive.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { packageRoot } from '../lib/paths.js';
import { EXIT, exitCodeOf, type ExitCode } from './errors.js';
import { buildProgram } from './program.js';

async function run(argv: string[] = process.argv): Promise<ExitCode | 'running'> {
  let running = false;
  const program = buildProgram({ keepRunning: () => (running = true), version: readVersion() });
  try {
    await program.parseAsync(argv);
    return running ? 'running' : EXIT.OK;
  } catch (err) {
    return report(err);
  }
}

/** Writes the one-line message (commander wrote its own) and chooses the exit code. */
function report(err: unknown): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`scenescout: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return exitCodeOf(err);
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Exits once stdout and stderr have taken everything written so far (pipes write asynchronously). */
async function exit(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((r) => s.write('', () => r()))));
  process.exit(code);
}

// `scenescout tasks | head`: a reader that goes away early is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const result = await run();
if (result !== 'running') await exit(result);
