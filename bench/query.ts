/**
 * npm run bench:query — the catalogue's read path at scale (issue 14).
 *
 * Seeds N synthetic events straight into `events` with one generate_series statement per chunk
 * (24 cities on four continents, 18 months around today, every category, titles from a
 * vocabulary, a few events without coordinates and a few lasting weeks), then adds the search
 * indexes with the real migrations (sql/0013, 0016–0019, CREATE INDEX CONCURRENTLY on Postgres) to the
 * populated table, as an existing catalogue would get them. Events without coordinates carry
 * their city's centre, as ingestion stores them. Then, through `queryEvents` and
 * `getEvent` (the library path HTTP and CLI use), p50 and p99 over --runs runs of each shape:
 *   near a point (5 km and 25 km) this week; near a point + text; text only; city + category
 *   + next 30 days; page 20 of a keyset walk; one event by id;
 * and in the same run the baseline: a primary-key lookup of one event row. Each shape's ratio to
 * the baseline is printed (it carries from one machine to another; absolute times here are
 * noisy). The EXPLAIN (ANALYZE) of each shape's page query goes to docs/query-plans.md.
 *
 *   DATABASE_URL=postgres://… npm run bench:query -- [--n 1000000] [--runs 300]
 *   npm run bench:query -- --pglite [--n 100000]
 *   … [--shapes text,keyset] (only shapes whose name contains one of these) [--keep | --reuse <schema>]
 *   … --reuse <schema> --sweep: instead of the shapes, every filter and order alone and combined, slowest first
 *   … --reuse <schema> --cpu [--rounds 5] [--shapes …]: instead of latencies, the CPU time per call of
 *     each shape in this process and in its Postgres backends (/proc/<pid>/stat of the
 *     connections named bench-query, pools of one), --runs calls a shape at a time, rounds in turn; medians.
 * Postgres: a fresh schema, dropped at the end (--keep leaves it and prints its name, --reuse
 * queries such a schema again without seeding; drop it by hand when done). The last line is one JSON object.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { getEvent, queryEvents, type EventQueryInput } from '../src/lib/catalogue/query.js';
import { openDatabase } from '../src/lib/db/connect.js';
import { loadMigrations, Migrator } from '../src/lib/db/migrator.js';
import { GENERIC_PLAN, type Database, type Queryable } from '../src/lib/db/types.js';
import { packageRoot } from '../src/lib/paths.js';
import { sweepQueries } from './lib/query-sweep.js';
import { arg, now, percentile, round } from './lib/stats.js';

const PGLITE = process.argv.includes('--pglite');
const DATABASE_URL = PGLITE ? undefined : process.env.DATABASE_URL || undefined;
const N = arg('n', PGLITE ? 100_000 : 1_000_000);
const RUNS = arg('runs', 300);
const CHUNK = 200_000;
/** --shapes near,text: run only the shapes whose name contains one of these (faster iteration). */
const SHAPES = (() => {
  const i = process.argv.indexOf('--shapes');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]!.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : null;
})();
/** --reuse <schema>: query a catalogue a previous `--keep` run left (no seeding); --keep: leave the schema. */
const REUSE = (() => {
  const i = process.argv.indexOf('--reuse');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : null;
})();
const KEEP = process.argv.includes('--keep') || REUSE !== null;
/**
 * --sweep (with --reuse, or after seeding): instead of the shapes, every filter and order alone and
 * combined (bench/lib/query-sweep.ts), three calls each after one: ms a call, slowest first; the
 * last line lists those over SWEEP_SLOW_MS.
 */
const SWEEP = process.argv.includes('--sweep');
const SWEEP_SLOW_MS = 50;
/** --cpu: CPU per call of each shape, this process and its Postgres backend (one connection). */
const CPU = process.argv.includes('--cpu');
const ROUNDS = arg('rounds', 5);
/** --plan-cache <mode>: with --cpu, the connection's plan_cache_mode instead of the pool's (an experiment). */
const PLAN_CACHE = (() => {
  const i = process.argv.indexOf('--plan-cache');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : null;
})();
const schema = DATABASE_URL ? (REUSE ?? `bench_query_${Date.now().toString(36)}`) : 'public';
const database = DATABASE_URL ? 'postgres' : 'pglite';
/** Goals of issue 14: p99 per shape (ms) and ratio to the primary-key lookup (Postgres at 1M). */
const GOAL_P99_MS = DATABASE_URL ? 20 : 50;
const GOAL_RATIO = 10;

const CITIES: Array<[id: string, name: string, lat: number, lng: number, tz: string]> = [
  ['new-york', 'New York', 40.7128, -74.006, 'America/New_York'], ['london', 'London', 51.5072, -0.1276, 'Europe/London'],
  ['san-francisco', 'San Francisco', 37.7749, -122.4194, 'America/Los_Angeles'], ['berlin', 'Berlin', 52.52, 13.405, 'Europe/Berlin'],
  ['tokyo', 'Tokyo', 35.6762, 139.6503, 'Asia/Tokyo'], ['paris', 'Paris', 48.8566, 2.3522, 'Europe/Paris'],
  ['madrid', 'Madrid', 40.4168, -3.7038, 'Europe/Madrid'], ['rome', 'Rome', 41.9028, 12.4964, 'Europe/Rome'],
  ['vienna', 'Wien', 48.2082, 16.3738, 'Europe/Vienna'], ['amsterdam', 'Amsterdam', 52.3676, 4.9041, 'Europe/Amsterdam'],
  ['chicago', 'Chicago', 41.8781, -87.6298, 'America/Chicago'], ['los-angeles', 'Los Angeles', 34.0522, -118.2437, 'America/Los_Angeles'],
  ['toronto', 'Toronto', 43.6532, -79.3832, 'America/Toronto'], ['mexico-city', 'Ciudad de México', 19.4326, -99.1332, 'America/Mexico_City'],
  ['sao-paulo', 'São Paulo', -23.5558, -46.6396, 'America/Sao_Paulo'], ['buenos-aires', 'Buenos Aires', -34.6037, -58.3816, 'America/Argentina/Buenos_Aires'],
  ['sydney', 'Sydney', -33.8688, 151.2093, 'Australia/Sydney'], ['melbourne', 'Melbourne', -37.8136, 144.9631, 'Australia/Melbourne'],
  ['singapore', 'Singapore', 1.3521, 103.8198, 'Asia/Singapore'], ['mumbai', 'Mumbai', 19.076, 72.8777, 'Asia/Kolkata'],
  ['seoul', 'Seoul', 37.5665, 126.978, 'Asia/Seoul'], ['cape-town', 'Cape Town', -33.9249, 18.4241, 'Africa/Johannesburg'],
  ['istanbul', 'İstanbul', 41.0082, 28.9784, 'Europe/Istanbul'], ['stockholm', 'Stockholm', 59.3293, 18.0686, 'Europe/Stockholm'],
];
const CATEGORIES = ['music', 'sports', 'arts-theatre', 'comedy', 'film', 'food-drink', 'nightlife', 'family', 'community', 'business', 'other'];
const ADJECTIVES = ['Late', 'Open', 'Sunday', 'Acoustic', 'Midnight', 'Summer', 'Winter', 'Grand', 'Little', 'Secret', 'Live', 'Classic',
  'Indie', 'Electric', 'Café', 'Garden', 'Street', 'Rooftop', 'Harbour', 'Vintage'];
const NOUNS = ['Jazz', 'Market', 'Quiz', 'Festival', 'Brunch', 'Salsa', 'Poetry', 'Cinema', 'Derby', 'Workshop', 'Gala', 'Techno', 'Opera',
  'Ballet', 'Comedy', 'Karaoke', 'Tasting', 'Parade', 'Meetup', 'Concert', 'Exhibition', 'Fair', 'Session', 'Showcase', 'Marathon',
  'Lecture', 'Screening', 'Rave', 'Recital', 'Bazaar'];
const VENUES = ['Hall', 'Club', 'Park', 'Theatre', 'Arena', 'Bar', 'Gallery', 'Stage', 'Loft', 'Garden'];

const sqlText = (list: readonly string[]) => `ARRAY[${list.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}]`;
const sqlNum = (list: readonly number[]) => `ARRAY[${list.join(', ')}]::float8[]`;

function log(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

/**
 * One chunk of synthetic events. Per row: a city (round robin), a point about it (a sum of
 * uniforms, most within 15 km), a start in the 18 months around today between 10:00 and 23:00
 * UTC, an end 2–3 h later (70 %), none (20 %), days later (8 %) or weeks later (2 %); 3 % have
 * no coordinates. Titles are "<adjective> <noun> #<n>" with the venue and city in search_text.
 */
function seedChunk(first: number, last: number): string {
  const c = CITIES.length;
  return `
    WITH g AS (
      SELECT i, (i % ${c}) + 1 AS ci, hashint(i) AS h FROM generate_series(${first}, ${last}) AS i
    ), r AS (
      SELECT i, ci, h,
             (${sqlText(CITIES.map((x) => x[0]))})[ci] AS city_id,
             (${sqlText(CITIES.map((x) => x[1]))})[ci] AS city_name,
             (${sqlText(CITIES.map((x) => x[4]))})[ci] AS tz,
             (${sqlNum(CITIES.map((x) => x[2]))})[ci] AS clat,
             (${sqlNum(CITIES.map((x) => x[3]))})[ci] AS clng,
             (${sqlNum(CITIES.map((x) => x[2]))})[ci] + (random() + random() + random() - 1.5) * 0.2 AS lat,
             (${sqlNum(CITIES.map((x) => x[3]))})[ci] + (random() + random() + random() - 1.5) * 0.25 AS lng,
             date_trunc('day', now() - interval '6 months') + floor(random() * 548) * interval '1 day'
               + (10 + h % 14) * interval '1 hour' AS starts,
             random() AS shape,
             (${sqlText(ADJECTIVES)})[1 + (h % ${ADJECTIVES.length})] || ' ' || (${sqlText(NOUNS)})[1 + ((h / 7) % ${NOUNS.length})] || ' #' || i AS title,
             (${sqlText(NOUNS)})[1 + ((h / 11) % ${NOUNS.length})] || ' ' || (${sqlText(VENUES)})[1 + ((h / 13) % ${VENUES.length})] AS venue,
             (${sqlText(CATEGORIES)})[1 + ((h / 17) % ${CATEGORIES.length})] AS category
        FROM g
    )
    INSERT INTO events (title, starts_at, ends_at, timezone, status, venue_name, city, latitude, longitude, category,
                        city_latitude, city_longitude, is_free, price_min, search_text, city_id, city_ids, updated_at)
    SELECT title, starts,
           CASE WHEN shape < 0.7 THEN starts + interval '150 minutes'
                WHEN shape < 0.9 THEN NULL
                WHEN shape < 0.98 THEN starts + (1 + h % 3) * interval '1 day'
                ELSE starts + (2 + h % 7) * interval '1 week' END,
           tz, CASE WHEN h % 50 = 0 THEN 'cancelled' ELSE 'scheduled' END,
           venue, city_name,
           CASE WHEN h % 33 = 0 THEN NULL ELSE lat END, CASE WHEN h % 33 = 0 THEN NULL ELSE lng END,
           category, CASE WHEN h % 33 = 0 THEN clat END, CASE WHEN h % 33 = 0 THEN clng END, h % 4 = 0, CASE WHEN h % 4 = 0 THEN 0 ELSE 5 + h % 60 END,
           lower(title || ' ' || venue || ' ' || city_name), city_id, ARRAY[city_id],
           now() - (h % 90) * interval '1 day'
      FROM r`;
}

/** A deterministic stand-in for random choices, so Postgres and PGlite runs ask the same things. */
function pick<T>(list: readonly T[], k: number): T {
  return list[((k * 2_654_435_761) >>> 0) % list.length]!;
}

/**
 * Records the statements a call issues, so the bench can EXPLAIN the one that reads the page:
 * the first that reads `events e` (the page's keys; the events' content, read by id after it
 * when they are not kept, is not the search).
 */
function recording(db: Database): { db: Queryable; page: () => { text: string; params: readonly unknown[] } | undefined } {
  let page: { text: string; params: readonly unknown[] } | undefined;
  return {
    db: {
      query(text, params) {
        if (!page && /FROM events e\b/.test(text)) page = { text, params: params ?? [] };
        return db.query(text, params);
      },
    },
    page: () => page,
  };
}

/**
 * The EXPLAIN (ANALYZE, BUFFERS) of a page statement as the service runs it: on Postgres, a
 * statement marked GENERIC_PLAN runs with one plan whatever its values (src/lib/db/connect.ts),
 * so it is prepared and explained under plan_cache_mode = force_generic_plan; the others are
 * planned for their values.
 */
async function explainAsRun(db: Database, text: string, params: readonly unknown[]): Promise<Array<Record<string, string>>> {
  if (db.kind !== 'postgres' || !text.startsWith(GENERIC_PLAN)) {
    return (await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params)).rows;
  }
  return db.session(async (conn) => {
    await conn.query('SET plan_cache_mode = force_generic_plan');
    await conn.query(`PREPARE bench_explained AS ${text}`);
    try {
      // EXECUTE takes its values as literals (a utility statement has no parameters).
      const args = params.map(sqlLiteral).join(', ');
      return (await conn.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE bench_explained(${args})`)).rows;
    } finally {
      await conn.query('DEALLOCATE bench_explained');
      await conn.query('RESET plan_cache_mode');
    }
  });
}

/** A parameter's value as an SQL literal of unknown type, which EXECUTE casts to the parameter's. */
function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return pg.escapeLiteral(`{${v.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`);
  return pg.escapeLiteral(v instanceof Date ? v.toISOString() : String(v));
}

interface Shape {
  name: string;
  run: (k: number) => Promise<unknown>;
  /** the library call whose page query is explained */
  explainInput?: EventQueryInput;
}

async function main(): Promise<void> {
  if (!PGLITE && !DATABASE_URL) throw new Error('set DATABASE_URL for Postgres, or pass --pglite');
  const db = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: 'memory', schema, max: CPU ? 1 : 4, applicationName: 'bench-query' });
  try {
    log(`bench:query on ${database}${DATABASE_URL ? ` (schema ${schema})` : ''}: ${N.toLocaleString('en')} events, ${RUNS} runs per shape`);
    await db.query(`CREATE OR REPLACE FUNCTION hashint(i BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
      $$ SELECT ((i * 2654435761) % 4294967296 + 4294967296) % 4294967296 $$`);
    // Everything but the search indexes (0013 on), then the events, then those migrations on the
    // populated table, as an existing catalogue gets them.
    const all = loadMigrations();
    let seedS = 0;
    let t = now();
    if (!REUSE) {
      await new Migrator(db, all.filter((m) => m.version < 13)).migrate();
      for (const [id, name, lat, lng, tz] of CITIES) {
        await db.query('INSERT INTO cities (id, name, latitude, longitude, radius_m, timezone) VALUES ($1, $2, $3, $4, 30000, $5)', [id, name, lat, lng, tz]);
      }
      for (let first = 1; first <= N; first += CHUNK) {
        await db.query(seedChunk(first, Math.min(N, first + CHUNK - 1)));
        process.stdout.write(`\r  seeded ${Math.min(N, first + CHUNK - 1).toLocaleString('en')}`);
      }
      seedS = (now() - t) / 1000;
      log(` in ${round(seedS, 1)} s`);
    }
    t = now();
    await new Migrator(db, all).migrate();
    const indexS = (now() - t) / 1000;
    log(`  migrations ${all.filter((m) => m.version >= 13).map((m) => String(m.version).padStart(4, '0')).join(', ')} (search indexes${DATABASE_URL ? ', CONCURRENTLY' : ''}) on the populated table: ${round(indexS, 1)} s`);
    await db.query('ANALYZE events');
    await db.query('ANALYZE cities');

    const ids = (await db.query<{ id: string }>('SELECT id FROM events TABLESAMPLE SYSTEM (1) LIMIT 1000')).rows.map((r) => r.id);
    const today = new Date();
    const day = 86_400_000;
    const weekEnd = new Date(today.getTime() + 7 * day);
    const point = (k: number) => {
      const c = pick(CITIES, k);
      // somewhere in town, not always the centre
      return { lat: round(c[2] + ((k % 7) - 3) * 0.02, 5), lng: round(c[3] + ((k % 5) - 2) * 0.025, 5) };
    };
    const word = (k: number) => pick(NOUNS, k + 3).toLowerCase();
    const twoWords = (k: number) => `${pick(NOUNS, k).toLowerCase()} ${pick(ADJECTIVES, k + 1).toLowerCase()}`;
    // Page 19's cursor of a walk in start order from the beginning of the catalogue.
    let cursor: string | undefined;
    for (let page = 1; page < 20; page++) cursor = (await queryEvents(db, { limit: 50, ...(cursor ? { cursor } : {}) })).nextCursor ?? undefined;

    const week = { from: today.toISOString(), to: weekEnd.toISOString() };
    const allShapes: Shape[] = [
      { name: 'near 5 km, this week', run: (k) => queryEvents(db, { ...point(k), radius_km: 5, ...week }), explainInput: { ...point(1), radius_km: 5, ...week } },
      { name: 'near 25 km, this week', run: (k) => queryEvents(db, { ...point(k), radius_km: 25, ...week }), explainInput: { ...point(1), radius_km: 25, ...week } },
      { name: 'near 25 km + text, this week', run: (k) => queryEvents(db, { ...point(k), radius_km: 25, q: word(k), ...week }), explainInput: { ...point(1), radius_km: 25, q: word(1), ...week } },
      { name: 'text only (two words)', run: (k) => queryEvents(db, { q: twoWords(k) }), explainInput: { q: twoWords(1) } },
      // What is on from now, anywhere: the events still on at `from` read apart (sql/0023).
      { name: 'from now (no place)', run: (k) => queryEvents(db, { from: new Date(today.getTime() + (k % 24) * 3_600_000).toISOString() }), explainInput: { from: today.toISOString() } },
      // A common word over a week without a place: what 0023 is for (the events still on at `from`).
      { name: 'text + this week (no place)', run: (k) => queryEvents(db, { q: word(k), ...week }), explainInput: { q: word(1), ...week } },
      {
        name: 'city + category + next 30 days',
        run: (k) => queryEvents(db, { city: pick(CITIES, k)[0], category: pick(CATEGORIES, k + 5), from: today.toISOString(), to: new Date(today.getTime() + 30 * day).toISOString() }),
        explainInput: { city: CITIES[0]![0], category: 'music', from: today.toISOString(), to: new Date(today.getTime() + 30 * day).toISOString() },
      },
      { name: 'page 20 of a keyset walk', run: () => queryEvents(db, { limit: 50, cursor }), explainInput: { limit: 50, cursor } },
      { name: 'one event by id', run: (k) => getEvent(db, pick(ids, k)) },
    ];
    const shapes = allShapes.filter((s) => !SHAPES || SHAPES.some((w) => s.name.includes(w)));
    const baseline = (k: number) => db.query('SELECT * FROM events WHERE id = $1', [pick(ids, k)]);

    if (CPU) {
      await measureCpu(db, shapes);
      return;
    }
    if (SWEEP) {
      await sweep(db, sweepQueries(today, point(1), CITIES[1]![0], word(1), 'zither'));
      return;
    }
    // Warm up every shape, then interleave them run by run so that noise hits all alike.
    for (let k = 0; k < 10; k++) {
      await baseline(k);
      for (const s of shapes) await s.run(k);
    }
    const times = new Map<string, number[]>([['primary-key lookup', []], ...shapes.map((s) => [s.name, []] as [string, number[]])]);
    for (let k = 0; k < RUNS; k++) {
      let s0 = now();
      await baseline(k);
      times.get('primary-key lookup')!.push(now() - s0);
      for (const s of shapes) {
        s0 = now();
        await s.run(k);
        times.get(s.name)!.push(now() - s0);
      }
    }

    const pk = times.get('primary-key lookup')!;
    const pkP50 = percentile(pk, 50);
    const pkP99 = percentile(pk, 99);
    const results: Array<{ shape: string; p50_ms: number; p99_ms: number; ratio_p50: number; ratio_p99: number }> = [];
    log('');
    log(`${'shape'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'×pk p50'.padStart(8)} ${'×pk p99'.padStart(8)}`);
    for (const [name, list] of times) {
      const p50 = percentile(list, 50);
      const p99 = percentile(list, 99);
      const row = { shape: name, p50_ms: round(p50, 2), p99_ms: round(p99, 2), ratio_p50: round(p50 / pkP50, 1), ratio_p99: round(p99 / pkP99, 1) };
      results.push(row);
      log(`${name.padEnd(34)} ${String(row.p50_ms).padStart(8)} ${String(row.p99_ms).padStart(8)} ${String(row.ratio_p50).padStart(8)} ${String(row.ratio_p99).padStart(8)}`);
    }

    // Plans: each shape's page query as the library sends it, with its parameters.
    const plans: string[] = [];
    for (const s of shapes) {
      if (!s.explainInput) continue;
      const rec = recording(db);
      await queryEvents(rec.db, s.explainInput);
      const q = rec.page();
      if (!q) continue;
      const rows = await explainAsRun(db, q.text, q.params);
      plans.push(`### ${s.name}\n\nquery: \`${JSON.stringify(s.explainInput)}\`\n\n\`\`\`\n${rows.map((r) => Object.values(r)[0]).join('\n')}\n\`\`\``);
    }
    const idPlan = await db.query<Record<string, string>>('EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM events WHERE id = $1', [ids[0]]);
    plans.push(`### primary-key lookup (baseline)\n\n\`\`\`\n${idPlan.rows.map((r) => Object.values(r)[0]).join('\n')}\n\`\`\``);
    if (SHAPES) log(`\n${plans.join('\n\n')}`);
    else {
      writePlans(plans);
      log(`\nplans: docs/query-plans.md (${database} section)`);
    }

    const shortfalls = results.filter((r) => r.shape !== 'primary-key lookup' && (r.p99_ms > GOAL_P99_MS || (DATABASE_URL && r.ratio_p99 > GOAL_RATIO)))
      .map((r) => r.shape);
    log(JSON.stringify({
      bench: 'query', database, events: N, runs: RUNS, seed_s: round(seedS, 1), index_migration_s: round(indexS, 1),
      goal_p99_ms: GOAL_P99_MS, goal_ratio: DATABASE_URL ? GOAL_RATIO : null, shapes: results, shortfalls,
    }));
  } finally {
    await db.close();
    if (DATABASE_URL && KEEP) log(`schema ${schema} kept: DROP SCHEMA ${schema} CASCADE when done`);
    else if (DATABASE_URL) {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }
}

/** --sweep: each query once to warm, then three calls; ms a call, slowest first. */
async function sweep(db: Database, queries: Record<string, EventQueryInput>): Promise<void> {
  const results: Array<{ query: string; ms: number }> = [];
  for (const [name, input] of Object.entries(queries)) {
    await queryEvents(db, input);
    const t0 = now();
    for (let i = 0; i < 3; i++) await queryEvents(db, input);
    results.push({ query: name, ms: round((now() - t0) / 3, 1) });
  }
  results.sort((a, b) => b.ms - a.ms);
  for (const r of results) log(`${String(r.ms).padStart(9)} ms  ${r.query}`);
  const slow = results.filter((r) => r.ms > SWEEP_SLOW_MS).map((r) => r.query);
  log(`${slow.length} of ${results.length} over ${SWEEP_SLOW_MS} ms`);
  log(JSON.stringify({ bench: 'query', mode: 'sweep', database, events: N, slow_ms: SWEEP_SLOW_MS, queries: results, slow }));
}

/**
 * CPU per call of each shape: this process (process.cpuUsage) and its Postgres backends (utime +
 * stime ticks of /proc/<pid>/stat, 10 ms each; pools of one connection), over --runs calls of one shape,
 * shapes in turn for --rounds rounds; the median round per shape. Unlike latency, another job on
 * the machine moves these little. Postgres on this host only.
 */
async function measureCpu(db: Database, shapes: Shape[]): Promise<void> {
  // Every backend of this bench's connections (the pool's one, and the one of statements marked
  // GENERIC_PLAN, which have a pool of their own).
  const backendTicks = async (): Promise<{ pid: string; ticks: number }> => {
    const { rows } = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'bench-query' ORDER BY pid");
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return { pid: rows.map((r) => r.pid).join(','), ticks };
  };
  const nodeMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  if (PLAN_CACHE) {
    if (!/^[a-z_]+$/.test(PLAN_CACHE)) throw new Error(`--plan-cache: ${PLAN_CACHE}`);
    await db.query(`SET plan_cache_mode = ${PLAN_CACHE}`);
  }
  for (const s of shapes) for (let k = 0; k < 10; k++) await s.run(k);
  const per = new Map<string, { node: number[]; postgres: number[] }>(shapes.map((s) => [s.name, { node: [], postgres: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of shapes) {
      const b0 = await backendTicks();
      const n0 = nodeMs();
      for (let k = 0; k < RUNS; k++) await s.run(round * RUNS + k);
      const n1 = nodeMs();
      const b1 = await backendTicks();
      if (b1.pid !== b0.pid) continue; // a connection came or went: round not counted
      per.get(s.name)!.node.push((n1 - n0) / RUNS);
      per.get(s.name)!.postgres.push(((b1.ticks - b0.ticks) * 10) / RUNS);
    }
  }
  log(`${'shape'.padEnd(34)} ${'node ms'.padStart(8)} ${'pg ms'.padStart(8)}   pg ms per round`);
  const out: Record<string, { node_ms: number; postgres_ms: number }> = {};
  for (const [name, v] of per) {
    out[name] = { node_ms: round(percentile(v.node, 50), 3), postgres_ms: round(percentile(v.postgres, 50), 3) };
    log(`${name.padEnd(34)} ${out[name].node_ms.toFixed(3).padStart(8)} ${out[name].postgres_ms.toFixed(3).padStart(8)}   ${v.postgres.map((x) => x.toFixed(2)).join(' ')}`);
  }
  log(JSON.stringify({ bench: 'query-cpu', database, runs: RUNS, rounds: ROUNDS, cpu_per_call: out }));
}

/** Replaces this database's section of docs/query-plans.md, keeping the other's. */
function writePlans(plans: string[]): void {
  const file = path.join(packageRoot(), 'docs', 'query-plans.md');
  const head = '# Query plans of the event search\n\nWritten by `npm run bench:query` (bench/query.ts): the EXPLAIN (ANALYZE, BUFFERS) of the page query each\nsearch shape sends, on the synthetic catalogue the bench seeds; on Postgres, a statement the service\nruns with one plan for any values (`GENERIC_PLAN`) is shown with that plan (`$n` in its conditions). The indexes are those of the\nmigrations `sql/0013` to `sql/0025` ([search.md](search.md#indexes-sql0012-sql0013-sql0016-sql0017-sql0019-sql0020-sql0021-sql0022-sql0023-sql0024-sql0025)).\n';
  const begin = `<!-- ${database} -->`;
  const end = `<!-- /${database} -->`;
  const section = `${begin}\n## ${database}, ${N.toLocaleString('en')} events (${new Date().toISOString().slice(0, 10)})\n\n${plans.join('\n\n')}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : head;
  const at = text.indexOf(begin);
  const stop = text.indexOf(end);
  text = at >= 0 && stop > at ? text.slice(0, at) + section + text.slice(stop + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
