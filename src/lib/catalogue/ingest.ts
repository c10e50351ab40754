/**
 * Ingestion: raw events → the canonical catalogue. The IngestionWorker and the benchmark both
 * call `ingestRawEvents`, so what the benchmark measures is what runs in production.
 *
 * Per chunk of raw events: one SELECT (raw rows with their city's zone), normalization in
 * JavaScript, and one write statement (src/lib/db/queries/catalogue-ingest.ts) that upserts
 * every record, creates origin events, and marks every raw row. Events that host several merged
 * records and saw one of them change are re-merged at the end (two more statements for the
 * whole run).
 *
 * A raw event that fails (normalization, or a value the database refuses) gets its error in
 * `raw_events.error` with `processed = false` and `processed_at` set: it is not picked again
 * by the default selection (which skips rows with an error) until discovery stores a changed
 * payload, which clears the error. A task that names the row explicitly retries it.
 */
import { coerceError } from '../errors.js';
import {
  loadRawEvents, selectUnprocessedIds, upsertSourceRecords,
  type RawEventRow, type SourceRecordInput, type UpsertCounts,
} from '../db/queries/catalogue-ingest.js';
import { applyMergePlan, loadHostedRecords, type CanonicalWrite } from '../db/queries/catalogue-merge.js';
import type { Queryable } from '../db/types.js';
import { canonicalOf, fromSourceFields, storableRow, UnstorableRecordError } from './records.js';
import { normalizeRawEvent } from '../normalize/index.js';

export interface IngestOptions {
  /** raw_events ids; when absent, the oldest unprocessed raw events (up to `limit`) are taken */
  ids?: readonly string[];
  /** only with no `ids`: take raw events of this source only */
  source?: string | null;
  /** only with no `ids`: how many raw events to take. Default 500 (the worker passes SCENESCOUT_INGEST_BATCH). */
  limit?: number;
  /** raw events per write statement. Default 1000. */
  chunkSize?: number;
  /** write statements in flight at once (each on its own connection in Postgres mode). Default 2. */
  concurrentWrites?: number;
}

export interface IngestResult {
  /** the task's source, else the one source of the batch, else null */
  source: string | null;
  /** raw events handled: inserted + updated + unchanged + failed */
  processed: number;
  /** records seen for the first time (each got its own event) */
  inserted: number;
  /** records whose content changed */
  updated: number;
  unchanged: number;
  /** raw events that could not be ingested (ids not found included) */
  failed: number;
  /** the first 20 failures */
  errors: Array<{ rawEventId: string; error: string }>;
  /** cities of the raw events ingested, sorted */
  cityIds: string[];
}

const MAX_REPORTED_ERRORS = 20;
const DEFAULT_CHUNK = 1000;
const DEFAULT_CONCURRENT_WRITES = 2;

/** One raw event on its way to the database: a record to write, or the error to store. */
interface Item {
  rawEventId: string;
  rawVersion: string;
  input: SourceRecordInput | null;
  error: string | null;
}

function prepare(raw: RawEventRow): Item {
  try {
    const context = { timezone: raw.timezone ?? undefined, cityName: raw.city_name ?? undefined };
    // The record's key is the raw row's (source, external_id), which event_sources is keyed by,
    // even where a reader derives its own id.
    const row = storableRow(normalizeRawEvent(raw.source, raw.data, context));
    return {
      rawEventId: raw.id,
      rawVersion: raw.version,
      error: null,
      input: {
        rawEventId: raw.id,
        rawVersion: raw.version,
        source: raw.source,
        externalId: raw.external_id,
        cityId: raw.city_id,
        cityIds: raw.city_ids ?? (raw.city_id === null ? [] : [raw.city_id]),
        cityLatitude: raw.city_latitude === null ? null : Number(raw.city_latitude),
        cityLongitude: raw.city_longitude === null ? null : Number(raw.city_longitude),
        row,
        firstSeenAt: raw.discovered_at,
        lastSeenAt: raw.last_seen_at,
      },
    };
  } catch (err) {
    const message = coerceError(err).message;
    const error = err instanceof UnstorableRecordError ? `${raw.source} record "${raw.external_id}": ${message}` : message;
    return { rawEventId: raw.id, rawVersion: raw.version, input: null, error };
  }
}

/** Data errors (class 22) and constraint violations (class 23) belong to a record, not to the batch. */
function isRecordError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * Writes the items; when the database refuses the batch for a data error, halves it until the
 * record at fault is alone, and stores that record's error instead. One bad record costs
 * O(log n) extra statements and never fails the others.
 */
async function write(db: Queryable, items: Item[]): Promise<UpsertCounts> {
  const inputs = items.flatMap((i) => (i.input ? [i.input] : []));
  const failures = items.flatMap((i) => (i.error === null ? [] : [{ rawEventId: i.rawEventId, rawVersion: i.rawVersion, error: i.error }]));
  try {
    return await upsertSourceRecords(db, inputs, failures);
  } catch (err) {
    if (!isRecordError(err) || inputs.length === 0) throw err;
    if (inputs.length === 1) {
      const bad = items.find((i) => i.input !== null)!;
      bad.error = `database rejected ${bad.input!.source} record "${bad.input!.externalId}": ${coerceError(err).message}`;
      bad.input = null;
      return write(db, items);
    }
    const withInput = items.flatMap((item, k) => (item.input ? [k] : []));
    const half = withInput[Math.floor(withInput.length / 2)]!;
    const [a, b] = [await write(db, items.slice(0, half)), await write(db, items.slice(half))];
    return {
      inserted: a.inserted + b.inserted,
      updated: a.updated + b.updated,
      unchanged: a.unchanged + b.unchanged,
      refreshIds: [...a.refreshIds, ...b.refreshIds],
    };
  }
}

/**
 * Ingests raw events chunk by chunk. Chunks are pipelined: the next chunk is read while this
 * one is normalized, and normalized while the database writes the previous ones (each on its
 * own pool connection), so JavaScript and database work overlap instead of adding up.
 */
export async function ingestRawEvents(db: Queryable, options: IngestOptions = {}): Promise<IngestResult> {
  const ids = options.ids
    ? [...new Set(options.ids)]
    : await selectUnprocessedIds(db, options.limit ?? 500, options.source ?? null);
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  const result: IngestResult = {
    source: options.source ?? null, processed: 0, inserted: 0, updated: 0, unchanged: 0, failed: 0, errors: [], cityIds: [],
  };
  const sources = new Set<string>();
  const cities = new Set<string>();
  const refresh = new Set<string>();
  const fail = (rawEventId: string, error: string) => {
    result.failed++;
    if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ rawEventId, error });
  };
  const settle = (items: Item[], counts: UpsertCounts) => {
    // Errors are read after the write: it may have found a record the database refuses.
    for (const item of items) if (item.error !== null) fail(item.rawEventId, item.error);
    result.inserted += counts.inserted;
    result.updated += counts.updated;
    result.unchanged += counts.unchanged;
    for (const id of counts.refreshIds) refresh.add(id);
    for (const item of items) if (item.input?.cityId) cities.add(item.input.cityId);
  };

  // Writes in flight (oldest first); a failure is held, not left unhandled, until awaited.
  // Two at once let the database work on one chunk while it commits the other.
  const inFlight: Array<Promise<{ error: unknown } | null>> = [];
  const writes = Math.max(1, options.concurrentWrites ?? DEFAULT_CONCURRENT_WRITES);
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += chunkSize) chunks.push(ids.slice(start, start + chunkSize));
  // The next chunk is read while this one is normalized, so JavaScript never waits for a read.
  const read = (k: number) => loadRawEvents(db, chunks[k]!).then((raws) => ({ raws }), (error: unknown) => ({ error }));
  let reading = chunks.length > 0 ? read(0) : null;
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k]!;
    const loaded = await reading!;
    reading = k + 1 < chunks.length ? read(k + 1) : null;
    if ('error' in loaded) throw loaded.error;
    const { raws } = loaded;
    const found = new Set(raws.map((r) => r.id));
    for (const id of chunk) if (!found.has(id)) fail(id, 'raw event not found');
    for (const raw of raws) sources.add(raw.source);
    const items = raws.map(prepare);
    if (inFlight.length >= writes) {
      const previous = await inFlight.shift()!;
      if (previous) throw previous.error;
    }
    inFlight.push(write(db, items).then((counts) => (settle(items, counts), null), (error: unknown) => ({ error })));
  }
  for (const outcome of await Promise.all(inFlight)) if (outcome) throw outcome.error;

  await refreshMergedEvents(db, [...refresh]);
  result.processed = result.inserted + result.updated + result.unchanged + result.failed;
  result.source ??= sources.size === 1 ? [...sources][0]! : null;
  result.cityIds = [...cities].sort();
  return result;
}

/**
 * Re-merges events that host several records after one of them changed, so a cancellation
 * seen by one source shows on the merged event right away rather than at the next dedupe run.
 * Cluster membership and the stored match pairs stay as dedupe left them.
 */
export async function refreshMergedEvents(db: Queryable, eventIds: readonly string[]): Promise<number> {
  const rows = await loadHostedRecords(db, eventIds);
  const byEvent = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byEvent.get(r.event_id);
    if (list) list.push(r);
    else byEvent.set(r.event_id, [r]);
  }
  const canonical: CanonicalWrite[] = [];
  for (const [id, list] of byEvent) {
    const { row, lastSeenAt, reasons } = canonicalOf(list.map((r) => fromSourceFields(r.source, r.external_id, r, r.last_seen_at)));
    const merged = list.length > 1;
    const first = list[0]!;
    canonical.push({
      id,
      row,
      cityId: first.city_id,
      lastSeenAt,
      mergeScore: merged ? first.merge_score : null,
      mergeReasons: merged ? { pairs: first.merge_reasons?.pairs ?? [], fields: reasons } : null,
    });
  }
  if (canonical.length === 0) return 0;
  const { written } = await applyMergePlan(db, { moves: [], absorptions: [], canonical });
  return written;
}
