/**
 * Building blocks of the catalogue's batch statements: the content columns of `events` with
 * their SQL types, and batch inputs built from rows. Every batch statement passes one JSON
 * array per column, so a batch of any size is one round trip with a fixed number of parameters.
 */
import type { CanonicalRow } from '../rows.js';

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

/** A value as it goes into a column's JSON array: instants as ISO text, the rest as they are. */
function jsonable(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : isoInstant(value);
  return value;
}

/**
 * A batch of rows as one relation, `alias`, with typed columns. Each column travels as one
 * JSON array parameter (a `json`/`jsonb` column's values are JSON text), unpacked side by side
 * with `ROWS FROM (json_array_elements_text(...), ...)` and cast to its type. So a batch of any
 * size is one round trip with one parameter per column, and both ends stay cheap: JavaScript
 * makes one native JSON.stringify call per column, and the database parses plain arrays.
 * (One array of row objects cost ingestion twice as much JavaScript time and a third more
 * database time.) `columns` maps a column name to its SQL type and how to read it from a row.
 */
export function unnestFrom<R>(
  params: Params,
  alias: string,
  rows: readonly R[],
  columns: ReadonlyArray<readonly [name: string, type: string, read: (row: R) => unknown]>,
): string {
  const raw = `${alias}_text`;
  const arrays = columns.map(([, , read]) => {
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = jsonable(read(rows[i]!));
    return `json_array_elements_text(${params.add(JSON.stringify(values))}::json)`;
  });
  const names = columns.map(([name]) => name).join(', ');
  const typed = columns.map(([name, type]) => `${raw}.${name}::${type} AS ${name}`).join(', ');
  return `(SELECT ${typed} FROM ROWS FROM (${arrays.join(', ')}) AS ${raw}(${names})) AS ${alias}`;
}

/** The content columns as unnest column specs, reading the content columns out of each row. */
export function contentColumns<R>(row: (r: R) => CanonicalRow): Array<readonly [string, string, (r: R) => unknown]> {
  return CONTENT_NAMES.map((name) => [name, CONTENT_COLUMNS[name], (r: R) => row(r)[name]] as const);
}

/** `a.col, a.col2, ...` over the content columns. */
export function contentList(alias: string): string {
  return CONTENT_NAMES.map((name) => `${alias}.${name}`).join(', ');
}
