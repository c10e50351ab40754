/**
 * The settings of the processes around the controller: the HTTP service (`npm start`,
 * `scenescout start`), the database the in-process CLI commands share with it, and the CLI's
 * way to the server. Each loader reads only its own variables.
 */
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { redactUrl } from '../lib/redact.js';
import { apiToken, bool, currentEnv, parseEnv, port, posInt, type Env } from './env.js';
import { loadSpawnConfig } from './spawn.js';

/** Where the service keeps the embedded database when DATABASE_URL is unset. */
export const DEFAULT_SERVICE_DATA_DIR = '.scenescout/data';
export const DEFAULT_PORT = 3000;

export interface ServiceConfig {
  port: number;
  host?: string;
  apiToken?: string;
  logLevel: string;
  /** where `npm start` keeps the embedded database when DATABASE_URL is unset */
  dataDir: string;
  bodyLimitBytes: number;
  /** discover every city once right after start */
  discoverOnStart: boolean;
  /** accept feed/page URLs on private addresses (SCENESCOUT_ALLOW_PRIVATE_URLS) */
  allowPrivateUrls: boolean;
}

const serviceSchema = z.object({
  PORT: port.default(DEFAULT_PORT),
  HOST: z.string().min(1).optional(),
  SCENESCOUT_API_TOKEN: apiToken.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SCENESCOUT_DATA_DIR: z.string().min(1).default(DEFAULT_SERVICE_DATA_DIR),
  SCENESCOUT_BODY_LIMIT: posInt.max(10 * 1024 * 1024).default(64 * 1024),
  SCENESCOUT_DISCOVER_ON_START: bool.default(true),
  SCENESCOUT_ALLOW_PRIVATE_URLS: bool.default(false),
});

/** The HTTP service's settings; like loadSpawnConfig, a bad value names its variable. */
export function loadServiceConfig(env: Env = currentEnv()): ServiceConfig {
  const e = parseEnv(serviceSchema, env);
  // Without a token the listener stays on 127.0.0.1 (src/server/server.ts). A HOST that asks
  // for more is refused rather than quietly narrowed: a container or a proxy would otherwise
  // run healthy yet unreachable, and opening the port would open every change to its network.
  if (e.HOST !== undefined && !e.SCENESCOUT_API_TOKEN && !isLoopbackHost(e.HOST)) {
    throw new ConfigError(
      `Invalid configuration: HOST=${JSON.stringify(e.HOST)} needs SCENESCOUT_API_TOKEN: without a token every change would be open to anyone who can reach that address; set SCENESCOUT_API_TOKEN (16+ characters), or unset HOST to listen on 127.0.0.1 only`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    apiToken: e.SCENESCOUT_API_TOKEN,
    logLevel: e.LOG_LEVEL,
    dataDir: e.SCENESCOUT_DATA_DIR,
    bodyLimitBytes: e.SCENESCOUT_BODY_LIMIT,
    discoverOnStart: e.SCENESCOUT_DISCOVER_ON_START,
    allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS,
  };
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * The database of `scenescout start` and of the commands that run in-process beside it
 * (migrate, discover without a server): DATABASE_URL, or the embedded database in
 * SCENESCOUT_DATA_DIR (default .scenescout/data).
 */
export interface LocalDatabase {
  /** the controller's dataDir option ('memory' when DATABASE_URL is set: it is then unused) */
  dataDir: string;
  /** the Postgres URL, when set */
  databaseUrl?: string;
  /** for messages: a redacted URL or the embedded data directory */
  description: string;
  logLevel: string;
}

export function localDatabase(env: Env = currentEnv()): LocalDatabase {
  const service = loadServiceConfig(env);
  const { databaseUrl } = loadSpawnConfig(env);
  const dataDir = databaseUrl ? 'memory' : service.dataDir;
  const description = databaseUrl
    ? `Postgres at ${redactUrl(databaseUrl)}`
    : dataDir === 'memory'
      ? 'embedded PGlite in memory'
      : `embedded PGlite in ${dataDir}`;
  return { dataDir, databaseUrl, description, logLevel: service.logLevel };
}

/**
 * The CLI's way to a server: where it is and the token for changes. Apart from the service's
 * settings so that commands talking to a server do not validate the whole service environment.
 */
export interface CliConfig {
  /** SCENESCOUT_URL, or http://127.0.0.1:$PORT */
  url: string;
  /** true when SCENESCOUT_URL named the server, rather than the localhost default */
  urlFromEnv: boolean;
  /** SCENESCOUT_API_TOKEN; never printed */
  token: string | undefined;
}

const cliSchema = z.object({
  SCENESCOUT_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  PORT: port.default(DEFAULT_PORT),
  SCENESCOUT_API_TOKEN: apiToken.optional(),
});

export function loadCliConfig(env: Env = currentEnv()): CliConfig {
  const e = parseEnv(cliSchema, env);
  return {
    url: e.SCENESCOUT_URL ?? `http://127.0.0.1:${e.PORT}`,
    urlFromEnv: e.SCENESCOUT_URL !== undefined,
    token: e.SCENESCOUT_API_TOKEN,
  };
}

/** Every variable these loaders read (the README's table lists each; a test checks). */
export const SERVICE_VARIABLES = [...new Set([...Object.keys(serviceSchema.shape), ...Object.keys(cliSchema.shape)])];
