/** The service's pino logger, with secrets redacted by path (values inside text: src/lib/redact.ts). */
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

/** A logger that writes nothing; the default for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
