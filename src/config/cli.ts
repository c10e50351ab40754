/**
 * The CLI's own environment: where the server is and the token for changes. Kept apart from
 * spawn.ts so that commands talking to a server do not validate the whole service environment.
 */
export interface CliEnv {
  /** SCENESCOUT_URL, or http://127.0.0.1:$PORT (default port 3000) */
  url: string;
  /** true when SCENESCOUT_URL named the server, rather than the localhost default */
  urlFromEnv: boolean;
  /** SCENESCOUT_API_TOKEN; never printed */
  token: string | undefined;
}

export function readCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const port = env.PORT && /^\d{1,5}$/.test(env.PORT) ? env.PORT : '3000';
  return {
    url: env.SCENESCOUT_URL || `http://127.0.0.1:${port}`,
    urlFromEnv: Boolean(env.SCENESCOUT_URL),
    token: env.SCENESCOUT_API_TOKEN || undefined,
  };
}
