/**
 * Building blocks of the catalogue's batch statements: the content columns of `events` with
 * their SQL types, and batch inputs built from rows. Every batch statement passes one JSON
 * parameter per input, so a batch of any size is one round trip with a fixed number of parameters.
 */
import type { CanonicalRow } from '../../ingest/catalogue-record.js';

/** The columns whose change is a change of the event (bumps updated_at); `last_seen_at` is not one. */
export const CONTENT_COLUMNS = {
  title: 'text',
  description: 'text',
  starts_at: 'timestamptz',
  ends_at: 'timestamptz',
  timezone: 'text',
  all_day: 'boolean',
  status: 'text',
  venue_name: 'text',
  address: 'text',
  city: 'text',
  region: 'text',
  postal_code: 'text',
  country: 'text',
  latitude: 'float8',
  longitude: 'float8',
  category: 'text',
  price_min: 'numeric',
  price_max: 'numeric',
  currency: 'text',
  is_free: 'boolean',
  url: 'text',
  image_url: 'text',
  search_text: 'text',
} as const satisfies Record<keyof CanonicalRow, string>;

export const CONTENT_NAMES = Object.keys(CONTENT_COLUMNS) as Array<keyof CanonicalRow>;

/**
 * The columns of `event_sources` holding one source's own version of the event: the content
 * columns but the derived `search_text`, under the same names and types.
 */
export const SOURCE_FIELD_NAMES = CONTENT_NAMES.filter((name): name is Exclude<keyof CanonicalRow, 'search_text'> => name !== 'search_text');

/** `a.col, a.col2, ...` over the source field columns. */
export function sourceFieldList(alias: string): string {
  return SOURCE_FIELD_NAMES.map((name) => `${alias}.${name}`).join(', ');
}

/** Positional parameters of one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** Date#toISOString for years 0–9999 (what storable dates are), at a third of its cost. */
function isoInstant(d: Date): string {
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9999) return d.toISOString();
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}Z`;
}

/** One value as JSON text; a `json`/`jsonb` column's value arrives as JSON text already. */
function jsonValue(value: unknown, isJson: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return isJson ? value : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'null' : `"${isoInstant(value)}"`;
      return JSON.stringify(value) ?? 'null';
  }
}

/**
 * A batch of rows as one relation: `json_to_recordset($1::json) AS alias(col type, ...)`.
 * One JSON text parameter per batch, so a batch of any size is one round trip with a fixed
 * number of parameters. The text is written value by value rather than through intermediate
 * objects and JSON.stringify: on ingestion's path this serialization was a tenth of its time.
 * `columns` maps a column name to its SQL type and how to read it from a row.
 */
export function unnestFrom<R>(
  params: Params,
  alias: string,
  rows: readonly R[],
  columns: ReadonlyArray<readonly [name: string, type: string, read: (row: R) => unknown]>,
): string {
  const keys = columns.map(([name], k) => `${k === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const isJson = columns.map(([, type]) => type === 'jsonb' || type === 'json');
  const reads = columns.map(([, , read]) => read);
  let text = '[';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (i > 0) text += ',';
    for (let k = 0; k < reads.length; k++) text += keys[k]! + jsonValue(reads[k]!(row), isJson[k]!);
    text += columns.length === 0 ? '{}' : '}';
  }
  text += ']';
  const spec = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  return `json_to_recordset(${params.add(text)}::json) AS ${alias}(${spec})`;
}

/** The content columns as unnest column specs, reading a CanonicalRow out of each row. */
export function contentColumns<R>(row: (r: R) => CanonicalRow): Array<readonly [string, string, (r: R) => unknown]> {
  return CONTENT_NAMES.map((name) => [name, CONTENT_COLUMNS[name], (r: R) => row(r)[name]] as const);
}

/** `a.col, a.col2, ...` over the content columns. */
export function contentList(alias: string): string {
  return CONTENT_NAMES.map((name) => `${alias}.${name}`).join(', ');
}

/** `col = a.col, ...` over the content columns. */
export function contentAssignments(alias: string): string {
  return CONTENT_NAMES.map((name) => `${name} = ${alias}.${name}`).join(', ');
}
