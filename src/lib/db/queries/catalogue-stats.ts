/** Per-city counts of the catalogue for the dashboard's cities view. */
import type { CityStats } from '../../../contracts/catalogue-stats.js';
import { keptRead } from '../../kept-read.js';
import type { Queryable } from '../types.js';
import { isoOrNull as iso } from '../timestamptz.js';

/**
 * How long one reading of the counts serves the cities view through one database handle. The
 * counts read every event (about 0.3 s of Postgres at 1M events), and each open dashboard asks
 * every few seconds: one reading serves them all, and a count is at most this old.
 */
export const CITY_STATS_MAX_AGE_MS = 5000;
const kept = keptRead((db: Queryable) => selectCityStats(db), CITY_STATS_MAX_AGE_MS);

/** selectCityStats as the cities view reads it: shared, at most CITY_STATS_MAX_AGE_MS old. */
export function cityStats(db: Queryable, options: { fresh?: boolean } = {}): Promise<CityStats[]> {
  return kept.get(db, options);
}

/** One entry per city in `cities`, in the cities list's order (priority, then id). */
export async function selectCityStats(db: Queryable, now: Date = new Date()): Promise<CityStats[]> {
  const cities = await db.query<{ id: string }>('SELECT id FROM cities ORDER BY priority DESC, id');
  const events = await db.query<{ city_id: string; total: number; upcoming: number }>(
    `SELECT city_id, count(*)::int AS total,
            count(*) FILTER (WHERE coalesce(ends_at, starts_at) >= $1)::int AS upcoming
       FROM events WHERE merged_into IS NULL AND city_id IS NOT NULL GROUP BY city_id`,
    [now],
  );
  const records = await db.query<{ city_id: string; source: string; records: number; last_seen_at: Date | string | null }>(
    `SELECT city_id, source, count(*)::int AS records, max(last_seen_at) AS last_seen_at
       FROM raw_events WHERE city_id IS NOT NULL GROUP BY city_id, source`,
  );
  const discoveries = await db.query<{ city_id: string; source: string; last_at: Date | string }>(
    `SELECT parameters->>'cityId' AS city_id, coalesce(parameters->>'source', '') AS source, max(completed_at) AS last_at
       FROM task_assignments
      WHERE task_type = 'discovery' AND status = 'completed' AND completed_at IS NOT NULL AND parameters->>'cityId' IS NOT NULL
      GROUP BY 1, 2`,
  );

  const byCity = new Map<string, CityStats>();
  for (const { id } of cities.rows) byCity.set(id, { cityId: id, events: 0, upcomingEvents: 0, sources: [], lastDiscoveryAt: null });
  for (const r of events.rows) {
    const s = byCity.get(r.city_id);
    if (s) Object.assign(s, { events: Number(r.total), upcomingEvents: Number(r.upcoming) });
  }
  const source = (s: CityStats, name: string) => {
    let entry = s.sources.find((x) => x.source === name);
    if (!entry) s.sources.push((entry = { source: name, records: 0, lastSeenAt: null, lastDiscoveryAt: null }));
    return entry;
  };
  for (const r of records.rows) {
    const s = byCity.get(r.city_id);
    if (s) Object.assign(source(s, r.source), { records: Number(r.records), lastSeenAt: iso(r.last_seen_at) });
  }
  for (const r of discoveries.rows) {
    const s = byCity.get(r.city_id);
    if (!s) continue;
    const at = iso(r.last_at);
    if (r.source) source(s, r.source).lastDiscoveryAt = at;
    if (at && (s.lastDiscoveryAt === null || at > s.lastDiscoveryAt)) s.lastDiscoveryAt = at;
  }
  for (const s of byCity.values()) s.sources.sort((a, b) => a.source.localeCompare(b.source));
  return [...byCity.values()];
}
