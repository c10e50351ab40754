/**
 * npm run bench:ingest — the catalogue's hot paths on Postgres, in its own schema (dropped at the end):
 *   (a) ingestion: N synthetic provider payloads (ticketmaster, eventbrite, jsonld, yelp, ics
 *       objects as their APIs return them) in raw_events, normalized and upserted by
 *       ingestRawEvents — the IngestionWorker's code path — against loading the same canonical
 *       rows with COPY events FROM STDIN (pg has no COPY API of its own; a minimal CopyIn
 *       submittable drives the protocol) and with one INSERT ... SELECT FROM unnest(...);
 *       then the same batch again (idempotent: every row unchanged);
 *   (b) dedupe: findDuplicates over 100k synthetic events, timed, with pairwise precision,
 *       recall and F1 against the generator's truth;
 *   (c) the database dedupe path (dedupeCatalogue, the ProcessingWorker's) over the N ingested
 *       events, with the quality of the clusters it stored, and a second run with nothing to do.
 * The last line is one JSON object.
 *
 * Timings are the median of --runs repetitions, each from an empty catalogue. Each run times
 * COPY and then ingestion back to back, and ingest_vs_copy is the median of the runs' own
 * ratios (with their range): this 2-core VM has slow and fast minutes, which a pair shares.
 * Each run also reports the CPU time COPY and ingestion used, in this process and in the local
 * Postgres server's processes (from /proc; null elsewhere), since both share the cores.
 *
 * Ingestion runs where an IngestionWorker runs it: in a worker thread with the ingestion worker
 * type's resource limits and a pool of a worker's size (workers/ingest-thread.ts), warmed up by
 * one untimed ingestion as a long-running worker is. The baselines run on the main thread.
 *
 *   --n N (default 20000)  --dedupe-n M (default 100000)  --chunk C (default 1000)  --runs R (default 5)
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { DateTime } from 'luxon';
import pg from 'pg';
import { spawnConfig } from '../src/config/spawn.js';
import { openDatabase } from '../src/lib/db/connect.js';
import { Migrator } from '../src/lib/db/migrator.js';
import { CONTENT_NAMES, Params, contentColumns, unnestFrom } from '../src/lib/db/queries/catalogue-columns.js';
import type { CanonicalRow } from '../src/lib/db/rows.js';
import type { Database } from '../src/lib/db/types.js';
import type { IngestResult } from '../src/lib/catalogue/ingest.js';
import { dedupeCatalogue } from '../src/lib/catalogue/dedupe/run.js';
import { canonicalRow } from '../src/lib/catalogue/records.js';
import { findDuplicates } from '../src/lib/catalogue/dedupe/index.js';
import { normalizeRawEvent } from '../src/lib/normalize/index.js';
import { threadResourceLimits } from '../src/lib/spawn/controller.js';
import type { IngestThreadData } from './workers/ingest-thread.js';
import { evaluate, generateSyntheticEvents, type SyntheticEvent } from './lib/synthetic.js';
import { arg, cpuSince, cpuSnapshot, now, round } from './lib/stats.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const N = arg('n', 20_000);
const DEDUPE_N = arg('dedupe-n', 100_000);
const CHUNK = arg('chunk', 1000);
const RUNS = arg('runs', 5);
const schema = `bench_ingest_${Date.now().toString(36)}`;

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

// ---- provider payloads -------------------------------------------------------------------

const cityId = (name: string) => name.toLowerCase().replace(/[^a-z]+/g, '-');
const money = (n: number | null) => (n === null ? null : n.toFixed(2));
const STATUS_WORD = { scheduled: 'onsale', cancelled: 'cancelled', postponed: 'postponed', rescheduled: 'rescheduled' } as const;
const TM_CLASS: Record<string, { segment: string; genre: string }> = {
  music: { segment: 'Music', genre: 'Rock' },
  comedy: { segment: 'Arts & Theatre', genre: 'Comedy' },
  arts: { segment: 'Arts & Theatre', genre: 'Theatre' },
  community: { segment: 'Miscellaneous', genre: 'Fairs & Festivals' },
  nightlife: { segment: 'Miscellaneous', genre: 'Undefined' },
  other: { segment: 'Undefined', genre: 'Undefined' },
};
const SCHEMA_TYPE: Record<string, string> = { music: 'MusicEvent', comedy: 'ComedyEvent', arts: 'TheaterEvent', community: 'Festival' };

/** The synthetic listing as its source's API would return it. */
function payloadOf(e: SyntheticEvent): unknown {
  const start = DateTime.fromJSDate(e.startsAt, { zone: e.timezone });
  const end = e.endsAt ? DateTime.fromJSDate(e.endsAt, { zone: e.timezone }) : null;
  const v = e.venue;
  const coords = v.latitude !== null && v.longitude !== null;
  const localDate = start.toISODate()!;
  const withOffset = (dt: DateTime) => dt.toISO({ suppressMilliseconds: true })!;
  switch (e.source) {
    case 'ticketmaster':
      return {
        name: e.title, type: 'event', id: e.externalId, url: e.url, locale: 'en-us',
        images: e.imageUrl ? [{ ratio: '16_9', url: e.imageUrl, width: 1024, height: 576, fallback: false }] : [],
        dates: {
          start: e.allDay
            ? { localDate, dateTBD: false, dateTBA: false, timeTBA: true, noSpecificTime: true }
            : { localDate, localTime: start.toFormat('HH:mm:ss'), dateTime: e.startsAt.toISOString().replace('.000', ''), dateTBD: false, noSpecificTime: false },
          ...(end ? { end: { localDate: end.toISODate(), localTime: end.toFormat('HH:mm:ss'), dateTime: end.toUTC().toISO({ suppressMilliseconds: true }) } } : {}),
          timezone: e.timezone,
          status: { code: STATUS_WORD[e.status] },
        },
        classifications: [{ primary: true, segment: { name: (TM_CLASS[e.category] ?? TM_CLASS.other!).segment }, genre: { name: (TM_CLASS[e.category] ?? TM_CLASS.other!).genre } }],
        info: e.description,
        priceRanges: e.priceMin === null ? [] : [{ type: 'standard', currency: e.currency, min: e.priceMin, max: e.priceMax }],
        _embedded: {
          venues: [{
            name: v.name, type: 'venue', postalCode: v.postalCode, timezone: e.timezone,
            city: { name: v.city }, state: { stateCode: v.region }, country: { countryCode: v.country },
            address: { line1: v.address },
            ...(coords ? { location: { latitude: String(v.latitude), longitude: String(v.longitude) } } : {}),
          }],
        },
      };
    case 'eventbrite':
      return {
        id: e.externalId, name: { text: e.title, html: e.title }, description: { text: e.description, html: e.description ? `<p>${e.description}</p>` : null },
        url: e.url,
        start: { timezone: e.timezone, local: start.toFormat("yyyy-MM-dd'T'HH:mm:ss"), utc: e.startsAt.toISOString().replace('.000', '') },
        ...(end ? { end: { timezone: e.timezone, local: end.toFormat("yyyy-MM-dd'T'HH:mm:ss"), utc: e.endsAt!.toISOString().replace('.000', '') } } : {}),
        status: e.status === 'cancelled' ? 'canceled' : e.status === 'postponed' ? 'postponed' : 'live',
        currency: e.currency, online_event: false, is_free: e.isFree === true, category_id: e.category === 'music' ? '103' : '199',
        logo: e.imageUrl ? { url: e.imageUrl, original: { url: e.imageUrl, width: 2160, height: 1080 } } : null,
        venue: {
          name: v.name,
          address: { address_1: v.address, city: v.city, region: v.region, postal_code: v.postalCode, country: v.country,
            ...(coords ? { latitude: String(v.latitude), longitude: String(v.longitude) } : {}) },
        },
        ticket_availability: e.priceMin === null ? null : {
          minimum_ticket_price: { currency: e.currency, major_value: money(e.priceMin), value: Math.round(e.priceMin * 100) },
          maximum_ticket_price: { currency: e.currency, major_value: money(e.priceMax), value: Math.round((e.priceMax ?? e.priceMin) * 100) },
        },
      };
    case 'jsonld':
      return {
        '@context': 'https://schema.org', '@type': SCHEMA_TYPE[e.category] ?? 'Event', '@id': `${e.url}#event`, '@sourcePage': e.url,
        name: e.title, description: e.description,
        startDate: e.allDay ? localDate : withOffset(start), ...(end ? { endDate: withOffset(end) } : {}),
        eventStatus: `https://schema.org/Event${e.status === 'cancelled' ? 'Cancelled' : e.status === 'postponed' ? 'Postponed' : 'Scheduled'}`,
        url: e.url, image: e.imageUrl ? [e.imageUrl] : [],
        location: {
          '@type': 'Place', name: v.name,
          address: { '@type': 'PostalAddress', streetAddress: v.address, addressLocality: v.city, addressRegion: v.region, postalCode: v.postalCode, addressCountry: v.country },
          ...(coords ? { geo: { '@type': 'GeoCoordinates', latitude: v.latitude, longitude: v.longitude } } : {}),
        },
        offers: e.priceMin === null ? [] : [{ '@type': 'Offer', price: money(e.priceMin), priceCurrency: e.currency }, { '@type': 'Offer', price: e.priceMax, priceCurrency: e.currency }],
      };
    case 'yelp':
      return {
        id: e.externalId, name: e.title, description: e.description, event_site_url: e.url, image_url: e.imageUrl,
        time_start: e.allDay ? localDate : withOffset(start), time_end: end ? withOffset(end) : null,
        is_canceled: e.status === 'cancelled', is_free: e.isFree === true, cost: e.priceMin, cost_max: e.priceMax,
        category: e.category === 'music' ? 'music' : 'nightlife', latitude: v.latitude, longitude: v.longitude,
        location: { address1: v.address, city: v.city, state: v.region, zip_code: v.postalCode, country: v.country, display_address: [v.address, v.city] },
        business_id: `${cityId(v.name ?? 'venue')}-${cityId(v.city ?? '')}`,
      };
    default:
      return {
        uid: e.externalId, summary: e.title, description: e.description, url: e.url,
        location: [v.name, v.address, v.city].filter(Boolean).join(', '),
        ...(coords ? { geo: { lat: v.latitude, lon: v.longitude } } : {}),
        status: e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
        categories: [e.category],
        start: e.allDay
          ? { allDay: true, local: localDate, tzid: e.timezone }
          : { utc: e.startsAt.toISOString(), tzid: e.timezone, local: start.toFormat("yyyy-MM-dd'T'HH:mm:ss"), allDay: false },
        ...(end ? { end: { utc: e.endsAt!.toISOString(), tzid: e.timezone, local: end.toFormat("yyyy-MM-dd'T'HH:mm:ss"), allDay: false } } : {}),
      };
  }
}

// ---- setup ---------------------------------------------------------------------------------

async function seedRawEvents(db: Database, events: readonly SyntheticEvent[]): Promise<string[]> {
  const cities = new Map<string, SyntheticEvent>();
  for (const e of events) cities.set(e.venue.city!, e);
  for (const [name, e] of cities) {
    await db.query(`INSERT INTO cities (id, name, latitude, longitude, timezone) VALUES ($1, $2, $3, $4, $5)`,
      [cityId(name), name, e.venue.latitude ?? 0, e.venue.longitude ?? 0, e.timezone]);
  }
  const ids: string[] = [];
  const discovered = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < events.length; i += 2000) {
    const chunk = events.slice(i, i + 2000);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO raw_events (source, external_id, data, discovered_at, city_id)
       SELECT s, x, d, $4, c FROM unnest($1::text[], $2::text[], $3::jsonb[], $5::text[]) AS t(s, x, d, c) RETURNING id`,
      [chunk.map((e) => e.source), chunk.map((e) => e.externalId), chunk.map((e) => JSON.stringify(payloadOf(e))), discovered, chunk.map((e) => cityId(e.venue.city!))],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** The canonical rows ingestion would write, for the baselines (built outside the timing). */
async function canonicalRowsOf(db: Database): Promise<Array<{ id: string; cityId: string; row: CanonicalRow; seen: Date }>> {
  const { rows } = await db.query<{ source: string; data: unknown; city_id: string; timezone: string; name: string; discovered_at: Date }>(
    `SELECT r.source, r.data, r.city_id, c.timezone, c.name, r.discovered_at FROM raw_events r JOIN cities c ON c.id = r.city_id`);
  return rows.map((r) => ({
    id: randomUUID(),
    cityId: r.city_id,
    row: canonicalRow(normalizeRawEvent(r.source, r.data, { timezone: r.timezone, cityName: r.name })),
    seen: r.discovered_at,
  }));
}

// ---- baselines -------------------------------------------------------------------------------

/** COPY text format: backslash escapes, \N for NULL. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

/**
 * `COPY ... FROM STDIN` through pg's submittable hook: send the query, answer CopyInResponse
 * with the data and CopyDone, finish on ReadyForQuery (what pg-copy-streams does, unstreamed).
 */
class CopyIn {
  private resolve!: (rows: number) => void;
  private reject!: (err: Error) => void;
  private rows = 0;
  private failed = false;
  readonly done = new Promise<number>((res, rej) => {
    this.resolve = res;
    this.reject = rej;
  });
  constructor(private readonly text: string, private readonly data: Buffer) {}
  submit(connection: { query(text: string): void }) { connection.query(this.text); }
  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
    for (let i = 0; i < this.data.length; i += 1 << 20) connection.sendCopyFromChunk(this.data.subarray(i, i + (1 << 20)));
    connection.endCopyFrom();
  }
  handleCommandComplete(msg: { text: string }) { this.rows = Number(msg.text.split(' ').pop()); }
  handleError(err: Error) { this.failed = true; this.reject(err); }
  handleReadyForQuery() { if (!this.failed) this.resolve(this.rows); }
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyData() {}
}

const BASELINE_COLUMNS = ['id', ...CONTENT_NAMES, 'city_id', 'first_seen_at', 'last_seen_at'];

type Cpu = ReturnType<typeof cpuSnapshot>;

async function copyBaseline(rows: Awaited<ReturnType<typeof canonicalRowsOf>>): Promise<{ ms: number; cpu: Cpu }> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema},public` });
  await client.connect();
  try {
    const cpu0 = cpuSnapshot();
    const t0 = now();
    const lines = rows.map((r) => [r.id, ...CONTENT_NAMES.map((n) => r.row[n]), r.cityId, r.seen, r.seen].map(copyField).join('\t'));
    const copy = new CopyIn(`COPY events (${BASELINE_COLUMNS.join(', ')}) FROM STDIN`, Buffer.from(`${lines.join('\n')}\n`));
    client.query(copy as never);
    const n = await copy.done;
    if (n !== rows.length) throw new Error(`COPY wrote ${n} rows, expected ${rows.length}`);
    const ms = now() - t0;
    // measured before the connection closes: an exited backend's CPU time is gone from /proc
    return { ms, cpu: cpuSince(cpu0) };
  } finally {
    await client.end();
  }
}

async function unnestBaseline(db: Database, rows: Awaited<ReturnType<typeof canonicalRowsOf>>): Promise<number> {
  const t0 = now();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const p = new Params();
    const input = unnestFrom(p, 'i', chunk, [
      ['id', 'uuid', (r) => r.id],
      ...contentColumns<(typeof chunk)[number]>((r) => r.row),
      ['city_id', 'text', (r) => r.cityId],
      ['first_seen_at', 'timestamptz', (r) => r.seen],
      ['last_seen_at', 'timestamptz', (r) => r.seen],
    ]);
    await db.query(`INSERT INTO events (${BASELINE_COLUMNS.join(', ')}) SELECT * FROM ${input}`, p.values);
  }
  return now() - t0;
}

async function reset(db: Database): Promise<void> {
  await db.query('TRUNCATE events, event_sources');
  // A checkpoint landing inside one timing and not another would decide the comparison; start
  // each from a clean one (needs superuser or pg_checkpoint; skipped without). It comes before
  // the raw rows are rewritten, as discovery rewrites them shortly before ingestion reads them:
  // in a running system those pages are already in the WAL since the last checkpoint, so the
  // timing does not pay a full-page image of every raw page it marks, as it would right after one.
  await db.query('CHECKPOINT').catch(() => {});
  await db.query('UPDATE raw_events SET processed = FALSE, processed_at = NULL, error = NULL');
  await db.query('VACUUM ANALYZE events, event_sources, raw_events, raw_event_backlog');
}

function cpuText(c: Cpu): string {
  return `node ${round(c.node, 0)} + postgres ${c.postgres === null ? '?' : round(c.postgres, 0)}`;
}

function medianOrNull(values: Array<number | null>): number | null {
  return values.some((v) => v === null) ? null : round(median(values as number[]), 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The ingestion thread (workers/ingest-thread.ts); `ingest(ids)` times one ingestion there. */
async function startIngestThread(): Promise<{ ingest(ids: string[]): Promise<{ ms: number; result: IngestResult }>; close(): Promise<void> }> {
  const type = spawnConfig.workerTypes.ingestion!;
  const data: IngestThreadData = { databaseUrl: DATABASE_URL, schema, chunkSize: CHUNK };
  const thread = new Worker(new URL('./workers/ingest-thread.js', import.meta.url), {
    workerData: data,
    resourceLimits: threadResourceLimits(type),
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => { thread.off('error', onError); resolve(m); };
    const onError = (err: Error) => { thread.off('message', onMessage); reject(err); };
    thread.once('message', onMessage);
    thread.once('error', onError);
  });
  await next(); // ready
  return {
    async ingest(ids) {
      const reply = next();
      thread.postMessage({ ids });
      const m = await reply;
      if (typeof m.error === 'string') throw new Error(`ingestion thread: ${m.error}`);
      return m as unknown as { ms: number; result: IngestResult };
    },
    async close() {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage('close');
      await exited;
    },
  };
}

// ---- run -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const db = await openDatabase({ databaseUrl: DATABASE_URL, schema, max: 4, applicationName: 'bench-ingest' });
  try {
    await new Migrator(db).migrate();
    const { events, truth } = generateSyntheticEvents({ count: N, seed: 11 });
    const ids = await seedRawEvents(db, events);
    log(`seeded ${ids.length} raw events (${new Set(events.map((e) => e.source)).size} sources) in schema ${schema}`);

    const canonical = await canonicalRowsOf(db);
    const thread = await startIngestThread();
    // Warm-up, untimed: a long-running ingestion worker has its code compiled.
    await reset(db);
    await thread.ingest(ids);
    const times = { copy: [] as number[], unnest: [] as number[], ingest: [] as number[], again: [] as number[] };
    const cpu = { copy: [] as Cpu[], ingest: [] as Cpu[] };
    let first: IngestResult | undefined;
    for (let run = 0; run < RUNS; run++) {
      // Every run starts from the same state: an empty catalogue, every raw event unprocessed.
      await reset(db);
      const copied = await copyBaseline(canonical);
      times.copy.push(copied.ms);
      cpu.copy.push(copied.cpu);
      await reset(db);
      const cpu0 = cpuSnapshot();
      const ingested = await thread.ingest(ids);
      cpu.ingest.push(cpuSince(cpu0));
      first = ingested.result;
      times.ingest.push(ingested.ms);
      const repeated = await thread.ingest(ids);
      const again = repeated.result;
      times.again.push(repeated.ms);
      if (again.unchanged !== ids.length) throw new Error(`re-ingestion was not idempotent: ${JSON.stringify(again)}`);
      await reset(db);
      times.unnest.push(await unnestBaseline(db, canonical));
      log(`run ${run + 1}: COPY ${round(times.copy[run]!)} ms, ingestRawEvents ${round(times.ingest[run]!)} ms `
        + `(${round(times.copy[run]! / times.ingest[run]!, 3)}x), again (all unchanged) ${round(times.again[run]!)} ms, `
        + `bulk unnest insert ${round(times.unnest[run]!)} ms; CPU ms COPY ${cpuText(cpu.copy[run]!)}, ingestion ${cpuText(cpu.ingest[run]!)}`);
    }
    // The dedupe runs below work on the ingested catalogue (the last run ended with a baseline).
    await reset(db);
    await thread.ingest(ids);
    await thread.close();
    log(`ingestRawEvents: ${JSON.stringify({ ...first, errors: first!.errors.slice(0, 3) })}`);
    const copyMs = median(times.copy);
    const unnestMs = median(times.unnest);
    const ingestMs = median(times.ingest);
    const againMs = median(times.again);

    let t0 = now();
    const processed = await dedupeCatalogue(db, { from: new Date('2000-01-01') });
    const processMs = now() - t0;
    const { rows: stored } = await db.query<{ ids: string[] }>(
      `SELECT array_agg(source || ':' || external_id) AS ids FROM event_sources GROUP BY event_id HAVING count(*) > 1`);
    const dbQuality = evaluate(stored.map((r) => r.ids), truth);
    log(`dedupeCatalogue over ${N}: ${JSON.stringify(processed)} in ${round(processMs)} ms; stored clusters P ${round(dbQuality.precision, 4)} R ${round(dbQuality.recall, 4)} F1 ${round(dbQuality.f1, 4)}`);
    t0 = now();
    const steady = await dedupeCatalogue(db, { from: new Date('2000-01-01') });
    const steadyMs = now() - t0;
    if (steady.merged + steady.unmerged !== 0) throw new Error(`a second dedupe run changed clusters: ${JSON.stringify(steady)}`);
    log(`dedupeCatalogue again (nothing changed): ${round(steadyMs)} ms`);

    const big = generateSyntheticEvents({ count: DEDUPE_N, seed: 7 });
    t0 = now();
    const found = findDuplicates(big.events);
    const dedupeMs = now() - t0;
    const quality = evaluate(found.clusters, big.truth);
    log(`findDuplicates over ${DEDUPE_N}: ${found.clusters.length} clusters, ${found.stats.comparisons} comparisons in ${round(dedupeMs)} ms`);

    const ingestRate = N / (ingestMs / 1000);
    const copyRate = N / (copyMs / 1000);
    const ratios = times.copy.map((copy, run) => copy / times.ingest[run]!);
    log(JSON.stringify({
      n: N,
      ingest_events_per_s: round(ingestRate, 0),
      copy_events_per_s: round(copyRate, 0),
      unnest_insert_events_per_s: round(N / (unnestMs / 1000), 0),
      ingest_vs_copy: round(median(ratios), 3),
      ingest_vs_copy_min: round(Math.min(...ratios), 3),
      ingest_vs_copy_max: round(Math.max(...ratios), 3),
      // CPU per run (median), this process's and the local Postgres server's: both share 2 cores
      copy_cpu_node_ms: round(median(cpu.copy.map((c) => c.node)), 0),
      copy_cpu_postgres_ms: medianOrNull(cpu.copy.map((c) => c.postgres)),
      ingest_cpu_node_ms: round(median(cpu.ingest.map((c) => c.node)), 0),
      ingest_cpu_postgres_ms: medianOrNull(cpu.ingest.map((c) => c.postgres)),
      reingest_events_per_s: round(N / (againMs / 1000), 0),
      dedupe_n: DEDUPE_N,
      dedupe_100k_ms: round(dedupeMs, 0),
      precision: round(quality.precision, 4),
      recall: round(quality.recall, 4),
      f1: round(quality.f1, 4),
      db_dedupe_ms: round(processMs, 0),
      db_dedupe_again_ms: round(steadyMs, 0),
      db_f1: round(dbQuality.f1, 4),
    }));
  } finally {
    await db.close();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

await main();
