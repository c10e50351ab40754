/** What every command gets: the global options resolved, an API client, and output helpers. */
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { loadCliConfig } from '../config/index.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface CommandContext {
  json: boolean;
  /** the URL as normalized by the client */
  url: string;
  /** true when --url or SCENESCOUT_URL named the server, rather than the localhost default */
  urlGiven: boolean;
  api: ApiClient;
}

export function contextOf(cmd: Command): CommandContext {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const env = loadCliConfig();
  const api = new ApiClient({ baseUrl: opts.url ?? env.url, token: opts.token ?? env.token });
  return { json: Boolean(opts.json), url: api.baseUrl, urlGiven: Boolean(opts.url) || env.urlFromEnv, api };
}

/** One JSON document on stdout: the only thing `--json` writes there. */
export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Notes for a person (progress, fallbacks) go to stderr, so stdout stays the result. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
