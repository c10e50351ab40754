import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'apiKey',
  'token',
  'password',
  'authorization',
  'headers.authorization',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.authorization',
  'config.providers.*.apiKey',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
];

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'scenescout',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}

/** Replaces credentials inside a connection URL: postgres://user:secret@host → postgres://user:***@host. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret|password/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** A logger that writes nothing; the default for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
