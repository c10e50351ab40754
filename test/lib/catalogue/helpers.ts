/** Shared setup of the catalogue tests: a migrated database per test, raw events, snapshots. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator } from '../../../src/lib/db/migrator.js';
import { selectEventPage, type EventPageFilter } from '../../../src/lib/db/queries/events.js';
import type { Database, Queryable } from '../../../src/lib/db/types.js';
import { CITY } from '../../fixtures/catalogue/concert.js';
import type { Backend } from '../../helpers/db.js';

/** Dedupe window of every test: the fixtures lie in 2026, whatever today is. */
export const FROM_2026 = new Date('2026-01-01T00:00:00Z');

/** A fresh migrated database on the backend, with San Francisco as a city. */
export async function openCatalogue(backend: Backend): Promise<Database> {
  const db = await backend.open();
  await new Migrator(db).migrate();
  await insertCity(db);
  return db;
}

export async function insertCity(db: Queryable, city = CITY): Promise<void> {
  await db.query('INSERT INTO cities (id, name, latitude, longitude, timezone) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
    [city.id, city.name, city.latitude, city.longitude, city.timezone]);
}

export interface RawInput {
  source: string;
  externalId: string;
  data: unknown;
  cityId?: string | null;
  discoveredAt?: Date;
  lastSeenAt?: Date;
}

/** Stores raw events as discovery would; returns their ids in order. */
export async function insertRaw(db: Queryable, rows: RawInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const { rows: out } = await db.query<{ id: string }>(
      `INSERT INTO raw_events (source, external_id, data, discovered_at, city_id, last_seen_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6) RETURNING id`,
      [r.source, r.externalId, JSON.stringify(r.data), r.discoveredAt ?? new Date(), r.cityId === undefined ? 'sf' : r.cityId, r.lastSeenAt ?? new Date()],
    );
    ids.push(out[0]!.id);
  }
  return ids;
}

/** A changed payload, as discovery stores it: unprocessed again, error cleared. */
export async function changeRaw(db: Queryable, id: string, data: unknown): Promise<void> {
  await db.query('UPDATE raw_events SET data = $2::jsonb, processed = FALSE, processed_at = NULL, error = NULL WHERE id = $1', [id, JSON.stringify(data)]);
}

export function fixture(source: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/normalize', source, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * The references the schema no longer checks (migration 0003): every record's origin event
 * exists, and its raw event does unless it was pruned (tests never prune).
 */
export async function assertReferencesHold(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ source: string; external_id: string; origin: boolean; raw: boolean }>(
    `SELECT es.source, es.external_id, o.id IS NOT NULL AS origin, r.id IS NOT NULL AS raw
       FROM event_sources es LEFT JOIN events o ON o.id = es.origin_event_id LEFT JOIN raw_events r ON r.id = es.raw_event_id
      WHERE o.id IS NULL OR r.id IS NULL`);
  assert.deepEqual(rows, [], 'records whose origin event or raw event does not exist');
}

/** Every catalogue row, in a stable order, for before/after comparisons (references checked). */
export async function snapshot(db: Queryable) {
  await assertReferencesHold(db);
  const events = await db.query('SELECT * FROM events ORDER BY id');
  const sources = await db.query('SELECT * FROM event_sources ORDER BY source, external_id');
  const raws = await db.query('SELECT id, processed, processed_at, error FROM raw_events ORDER BY id');
  return { events: events.rows, sources: sources.rows, raws: raws.rows };
}

export interface SourceRow {
  source: string;
  external_id: string;
  event_id: string;
  origin_event_id: string;
  missing_since: Date | null;
}

export async function sourceRows(db: Queryable): Promise<SourceRow[]> {
  const { rows } = await db.query<SourceRow>(
    'SELECT source, external_id, event_id, origin_event_id, missing_since FROM event_sources ORDER BY source, external_id');
  return rows;
}

export async function sourceOf(db: Queryable, source: string): Promise<SourceRow> {
  const row = (await sourceRows(db)).find((r) => r.source === source);
  if (!row) throw new Error(`no ${source} record`);
  return row;
}

export interface EventState {
  id: string;
  title: string;
  status: string;
  starts_at: Date;
  merged_into: string | null;
  merge_score: number | null;
  merge_reasons: { pairs: Array<{ a: string; b: string; score: number; reasons: string[] }>; fields: string[]; signature?: string; absorbedBy?: string; matched?: string[] } | null;
  missing_since: Date | null;
  updated_at: Date;
}

export async function eventRow(db: Queryable, id: string): Promise<EventState> {
  const { rows } = await db.query<EventState>(
    'SELECT id, title, status, starts_at, merged_into, merge_score, merge_reasons, missing_since, updated_at FROM events WHERE id = $1', [id]);
  if (!rows[0]) throw new Error(`no event ${id}`);
  return rows[0];
}

/** Visible (not merged-away) events. */
export async function visibleEvents(db: Queryable): Promise<EventState[]> {
  const { rows } = await db.query<EventState>(
    `SELECT id, title, status, starts_at, merged_into, merge_score, merge_reasons, missing_since, updated_at
       FROM events WHERE merged_into IS NULL ORDER BY starts_at, id`);
  return rows;
}

/** Every page of a query, walked by keyset, as one list of ids; each page checked against the limit. */
export async function walkPages(db: Queryable, base: Omit<EventPageFilter, 'after'>): Promise<string[]> {
  const ids: string[] = [];
  let afterRow: EventPageFilter['after'];
  for (let n = 0; n < 500; n++) {
    const rows = await selectEventPage(db, { ...base, ...(afterRow ? { after: afterRow } : {}) });
    assert.ok(rows.length <= base.limit);
    ids.push(...rows.map((r) => r.id));
    const last = rows[rows.length - 1];
    if (!last || rows.length < base.limit) return ids;
    afterRow = { startsAt: new Date(last.starts_at), id: last.id };
  }
  throw new Error('the walk never ended');
}
