/**
 * What every command gets: the environment and output streams it runs with, the global options
 * resolved, an API client, and output helpers.
 */
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { loadCliConfig, type Env } from '../config/index.js';

/** A stream the CLI writes to: the process's stdout or stderr, or one a caller collects. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * Where the CLI reads its configuration and writes its output: the process's environment and
 * streams when run as `scenescout`, or a caller's (run.ts) when the same program runs in it.
 */
export interface CliIo {
  env: Env;
  stdout: OutputStream;
  stderr: OutputStream;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** the URL as normalized by the client */
  url: string;
  /** true when --url or SCENESCOUT_URL named the server, rather than the localhost default */
  urlGiven: boolean;
  api: ApiClient;
}

const ios = new WeakMap<Command, CliIo>();

/** Gives the program (and so each of its commands) the environment and streams it runs with. */
export function attachIo(program: Command, io: CliIo): void {
  ios.set(program, io);
}

/** The environment and streams of the program `cmd` belongs to. */
export function ioOf(cmd: Command): CliIo {
  let root = cmd;
  while (root.parent) root = root.parent;
  const io = ios.get(root);
  if (!io) throw new Error(`scenescout: command "${cmd.name()}" belongs to no program built by buildProgram()`);
  return io;
}

export function contextOf(cmd: Command): CommandContext {
  const io = ioOf(cmd);
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const env = loadCliConfig(io.env);
  const api = new ApiClient({ baseUrl: opts.url ?? env.url, token: opts.token ?? env.token });
  return { io, json: Boolean(opts.json), url: api.baseUrl, urlGiven: Boolean(opts.url) || env.urlFromEnv, api };
}

/** One JSON document on stdout: the only thing `--json` writes there. */
export function printJson(io: CliIo, data: unknown): void {
  io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function print(io: CliIo, text = ''): void {
  io.stdout.write(`${text}\n`);
}

/** Notes for a person (progress, fallbacks) go to stderr, so stdout stays the result. */
export function note(io: CliIo, text: string): void {
  io.stderr.write(`${text}\n`);
}
