/**
 * Provider records are cleaned here, where they enter, so that storage never sees what
 * Postgres refuses or what overflows the stack:
 * - NUL characters are removed (Postgres rejects `\u0000` in text and jsonb: 22P05);
 * - lone UTF-16 surrogates become U+FFFD (invalid in UTF-8: 22P02 / 22021);
 * - objects and arrays nested deeper than `MAX_RECORD_DEPTH` become `null` (JSON.stringify and
 *   our hashing recurse, and a record that deep is not an event anyway).
 * Keys are cleaned like values. A record that needs none of this is returned as is (no copy).
 */

/** Levels of objects/arrays kept in a record; deeper values are replaced by null. */
export const MAX_RECORD_DEPTH = 64;

export interface CleanedRecord<T> {
  value: T;
  /** what was changed, for the report; empty when the record was returned untouched */
  notes: string[];
}

interface Tally {
  nul: number;
  surrogates: number;
  truncated: string[];
}

type WellFormed = string & { isWellFormed(): boolean; toWellFormed(): string };

/** `value` with NULs removed, lone surrogates replaced and depth bounded; `notes` says what changed. */
export function cleanRecord<T>(value: T, maxDepth = MAX_RECORD_DEPTH): CleanedRecord<T> {
  const tally: Tally = { nul: 0, surrogates: 0, truncated: [] };
  const cleaned = clean(value, 0, maxDepth, '', tally) as T;
  const notes: string[] = [];
  if (tally.nul > 0) notes.push(`removed ${tally.nul} NUL character(s)`);
  if (tally.surrogates > 0) notes.push(`replaced lone UTF-16 surrogates in ${tally.surrogates} string(s) with U+FFFD`);
  if (tally.truncated.length > 0) {
    const where = tally.truncated.slice(0, 3).join(', ') + (tally.truncated.length > 3 ? `, … (${tally.truncated.length} in all)` : '');
    notes.push(`dropped values nested deeper than ${maxDepth} levels at ${where}`);
  }
  return { value: notes.length === 0 ? value : cleaned, notes };
}

/** One string cleaned; `tally` counts what changed. */
export function cleanString(s: string, tally?: Pick<Tally, 'nul' | 'surrogates'>): string {
  let out = s;
  if (out.includes('\u0000')) {
    const before = out.length;
    out = out.replaceAll('\u0000', '');
    if (tally) tally.nul += before - out.length;
  }
  if (!(out as WellFormed).isWellFormed()) {
    out = (out as WellFormed).toWellFormed();
    if (tally) tally.surrogates++;
  }
  return out;
}

function clean(value: unknown, depth: number, maxDepth: number, path: string, tally: Tally): unknown {
  if (typeof value === 'string') return cleanString(value, tally);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) {
    tally.truncated.push(path || '(record)');
    return null;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = clean(item, depth + 1, maxDepth, `${path}[${i}]`, tally);
      if (next !== item && !copy) copy = value.slice(0, i);
      if (copy) copy.push(next);
    }
    return copy ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = obj[key];
    const cleanKey = cleanString(key, tally);
    const next = clean(item, depth + 1, maxDepth, path ? `${path}.${cleanKey}` : cleanKey, tally);
    if ((next !== item || cleanKey !== key) && !copy) {
      copy = {};
      for (let j = 0; j < i; j++) put(copy, keys[j]!, obj[keys[j]!]);
    }
    if (copy) put(copy, cleanKey, next);
  }
  return copy ?? value;
}

/** Own data property, so a `__proto__` key from JSON.parse stays a key and never sets the prototype. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
