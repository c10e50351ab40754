/**
 * `SPAWN_WORKER_TYPES`: worker types declared for `node dist/main.js` and `scenescout start`
 * without writing code: a JSON file (or the JSON itself) mapping type names to their settings.
 * A new type needs a `script` (a module that constructs a BaseWorker subclass), resolved from the
 * file's folder; a built-in type's entry changes its settings. See docs/replicas.md.
 *
 *   { "geocode": { "script": "./workers/geocode.js", "maxConcurrency": 2, "memoryLimit": "256MB", "initialWorkers": 1 },
 *     "discovery": { "maxConcurrency": 5 } }
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WORKER_TYPE_NAME } from '../contracts/tasks.js';
import { ConfigError } from '../lib/errors.js';
import { own } from '../lib/own.js';

const POS_INT = 'must be a positive integer';
const entrySchema = z.strictObject({
  script: z.string().min(1, 'must name a module').optional(),
  maxConcurrency: z.number({ error: POS_INT }).int(POS_INT).min(1, POS_INT).optional(),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(MB|GB|M|G)$/i, "must look like '512MB' or '1GB'").optional(),
  cpuLimit: z.number().positive('must be a positive number').optional(),
  youngGenerationMb: z.number({ error: POS_INT }).int(POS_INT).min(1, POS_INT).optional(),
  initialWorkers: z.number().int('must be a non-negative integer').min(0, 'must be a non-negative integer').optional(),
});
const fileSchema = z.record(z.string(), entrySchema);

const NEW_TYPE_DEFAULTS = { maxConcurrency: 1, memoryLimit: '256MB', cpuLimit: 0.5, initialWorkers: 0 };

/** The built-in types with the declared ones merged in; throws ConfigError naming the entry and field. */
export function withDeclaredWorkerTypes<T extends object>(value: string | undefined, builtins: Record<string, T>): Record<string, T> {
  if (value === undefined) return builtins;
  const inline = value.trim().startsWith('{');
  const where = inline ? 'SPAWN_WORKER_TYPES' : `SPAWN_WORKER_TYPES=${JSON.stringify(value)}`;
  let raw: unknown;
  try {
    raw = JSON.parse(inline ? value : readFileSync(value, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message} (a JSON file, or a JSON object, of worker types)`);
  }
  const badName = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw).find((k) => !WORKER_TYPE_NAME.test(k)) : undefined;
  if (badName !== undefined) throw new ConfigError(`${where}: ${JSON.stringify(badName)} must be a worker type name matching ${WORKER_TYPE_NAME}`);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map(String).join('.');
    throw new ConfigError(`${where}: ${at ? `${at} ` : ''}${issue.message}`);
  }
  const base = inline ? process.cwd() : path.dirname(path.resolve(value));
  const out: Record<string, T> = { ...builtins };
  for (const [name, entry] of Object.entries(parsed.data)) {
    const known = own(builtins, name);
    if (!known && !entry.script) throw new ConfigError(`${where}: ${name}.script is required for a new worker type (a module that constructs a BaseWorker subclass)`);
    const script = entry.script === undefined ? undefined : entry.script.startsWith('file:') ? entry.script : path.resolve(base, entry.script);
    out[name] = { ...(known ?? NEW_TYPE_DEFAULTS), ...entry, ...(script ? { script } : {}) } as T;
  }
  return out;
}
