/** Runs the compiled CLI as a child process, or its program in this one. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli as runProgram } from '../../src/cli/run.js';

/** <outDir>/test/cli/helpers.js → <outDir>/src/cli/index.js */
export const CLI = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));
export const TOKEN = 'test-token-123456789';
export const PACKAGE_ROOT = process.cwd();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment minus anything that would point the CLI somewhere else. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(SCENESCOUT_|SPAWN_|DATABASE_URL|PORT$|HOST$|LOG_LEVEL$|TICKETMASTER_|EVENTBRITE_|YELP_)/.test(key)) delete env[key];
  }
  return { ...env, SCENESCOUT_DATA_DIR: 'memory', ...extra };
}

/** Asynchronous on purpose: the server under test runs in this process and must keep answering. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // The node flags of this test process (npm test's --liftoff-only) go on to the CLI.
    const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { env, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scenescout ${args.join(' ')} ran over ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs the CLI's program in this process, as `scenescout` runs it (run.ts), on `env` and on
 * streams that collect what it writes: for what does not depend on being a process of its own
 * (what a command does and prints, and the exit code it chooses). A few child-process runs
 * (runCli) in each test file cover the rest, which index.ts does alike for every command: the
 * exit status, and stdout and stderr as pipes. Commands that start the service here (migrate,
 * discover in-process) open the database `env` names, but their controller takes its other
 * settings (workers, providers) from this process's environment, as every test's service does.
 */
export async function runInProcess(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  const out = { stdout: '', stderr: '' };
  const collect = (name: keyof typeof out) =>
    new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        out[name] += chunk.toString();
        done();
      },
    });
  const code = await runProgram(args, { env, stdout: collect('stdout'), stderr: collect('stderr') });
  if (code === 'running') throw new Error(`scenescout ${args.join(' ')} left a server running in the test process`);
  return { code, ...out };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Polls `read` until it returns something truthy. */
export async function eventually<T>(read: () => Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function parseJson<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
