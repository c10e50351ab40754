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

/** Positional parameters of one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A batch of rows as one relation: `json_to_recordset($1::json) AS alias(col type, ...)`.
 * One JSON text parameter per batch: JSON.stringify is native and cheap, where one escaped
 * array literal per column cost more JavaScript time than the database spent on the write.
 * `columns` maps a column name to its SQL type and how to read it from a row.
 */
export function unnestFrom<R>(
  params: Params,
  alias: string,
  rows: readonly R[],
  columns: ReadonlyArray<readonly [name: string, type: string, read: (row: R) => unknown]>,
): string {
  const json = columns.map(([, type]) => type === 'jsonb' || type === 'json');
  const objects = rows.map((row) => {
    const o: Record<string, unknown> = {};
    columns.forEach(([name, , read], k) => {
      const v = read(row);
      // jsonb columns arrive as JSON text from their readers; embed them as values.
      o[name] = json[k] && typeof v === 'string' ? JSON.parse(v) : v;
    });
    return o;
  });
  const spec = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  return `json_to_recordset(${params.add(JSON.stringify(objects))}::json) AS ${alias}(${spec})`;
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

/** An instant as the ISO string JavaScript writes, whatever the session's TimeZone. */
const isoText = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The source record (StoredRecord, catalogue-record.ts) built from a row with the content
 * columns and `source`, `external_id`. Built by the database rather than sent, so a batch
 * carries each value once and the stored record always equals the written columns.
 */
export function recordJson(a: string): string {
  return `jsonb_build_object(
    'source', ${a}.source, 'externalId', ${a}.external_id, 'title', ${a}.title, 'description', ${a}.description,
    'startsAt', ${isoText(`${a}.starts_at`)}, 'endsAt', ${isoText(`${a}.ends_at`)},
    'timezone', ${a}.timezone, 'allDay', ${a}.all_day, 'status', ${a}.status,
    'venue', jsonb_build_object('name', ${a}.venue_name, 'address', ${a}.address, 'city', ${a}.city, 'region', ${a}.region,
      'postalCode', ${a}.postal_code, 'country', ${a}.country, 'latitude', ${a}.latitude, 'longitude', ${a}.longitude),
    'priceMin', ${a}.price_min, 'priceMax', ${a}.price_max, 'currency', ${a}.currency, 'isFree', ${a}.is_free,
    'url', ${a}.url, 'imageUrl', ${a}.image_url, 'category', ${a}.category)`;
}
