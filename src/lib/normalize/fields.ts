/**
 * Reading fields out of a provider's loosely typed object. Every failure goes through one
 * reader so the error always carries the source, the record id and the field path.
 */
import { NormalizationError } from './types.js';
import { parseDateTime, type ParsedTime } from './time.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `undefined`/`null` → `[]`, a single value → `[value]`: schema.org allows either for most properties. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A non-empty trimmed string; finite numbers become strings (some APIs send numeric ids). */
export function asString(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

// Paths are a few dozen literals in the readers; splitting each once keeps reads allocation-free.
const splitPaths = new Map<string, readonly string[]>();

function keysOf(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    if (splitPaths.size < 1000) splitPaths.set(path, keys);
  }
  return keys;
}

/** Follows a dotted path (`_embedded.venues.0.name`); anything missing on the way gives `undefined`. */
export function getPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const key of keysOf(path)) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export class FieldReader {
  /** Set once the record's id is known so later errors can name it. */
  recordId: string | null = null;

  constructor(
    readonly source: string,
    readonly data: JsonObject,
  ) {}

  get(path: string): unknown {
    return getPath(this.data, path);
  }

  string(path: string): string | null {
    return asString(this.get(path));
  }

  object(path: string): JsonObject | null {
    const value = this.get(path);
    return isObject(value) ? value : null;
  }

  boolean(path: string): boolean | null {
    const value = this.get(path);
    if (typeof value === 'boolean') return value;
    // schema.org booleans are often written as text ("True", "false").
    if (typeof value === 'string' && /^true$/i.test(value.trim())) return true;
    if (typeof value === 'string' && /^false$/i.test(value.trim())) return false;
    return null;
  }

  /**
   * A date or date-time at `path` read in `zone` (when it has no offset of its own); null when
   * absent, a NormalizationError when present but unparsable.
   */
  time(path: string, zone: string): ParsedTime | null {
    const value = this.get(path);
    if (value === undefined || value === null || value === '') return null;
    const parsed = parseDateTime(value, zone);
    if (parsed === null) this.invalid(path, value, 'is not an ISO 8601 date or date-time');
    return parsed;
  }

  requireString(path: string, hint?: string): string {
    const value = this.string(path);
    if (value === null) this.missing(path, hint);
    return value;
  }

  missing(field: string, hint?: string): never {
    throw new NormalizationError(this.source, this.recordId, field, `missing field ${field}${hint ? ` (${hint})` : ''}`);
  }

  invalid(field: string, value: unknown, expectation: string): never {
    throw new NormalizationError(this.source, this.recordId, field, `invalid field ${field}: ${preview(value)} ${expectation}`);
  }
}
