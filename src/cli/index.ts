#!/usr/bin/env node
/**
 * `scenescout`: the command line as a process. Runs the program (run.ts) on the process's
 * arguments, environment and streams, and exits once output is flushed — except after `start`,
 * whose server keeps the process alive.
 */
import { currentEnv } from '../config/index.js';
import { runCli } from './run.js';

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

const result = await runCli(process.argv.slice(2), { env: currentEnv(), stdout: process.stdout, stderr: process.stderr });
if (result !== 'running') await exit(result);
