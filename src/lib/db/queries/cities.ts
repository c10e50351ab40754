/** `cities`: what discovery covers. */
import type { City, CityInput, CitySources } from '../../../contracts/cities.js';
import { NotFoundError } from '../../errors.js';
import { keptRead } from '../../kept-read.js';
import type { Queryable } from '../types.js';

interface CityRow {
  id: string; name: string; latitude: number; longitude: number; radius_m: number; timezone: string;
  priority: number; enabled: boolean; sources: CitySources | null;
}

const COLUMNS = 'id, name, latitude, longitude, radius_m, timezone, priority, enabled, sources';

function toCity(r: CityRow): City {
  return {
    id: r.id, name: r.name, latitude: Number(r.latitude), longitude: Number(r.longitude), radiusM: Number(r.radius_m),
    timezone: r.timezone, priority: Number(r.priority), enabled: r.enabled, sources: r.sources ?? {},
  };
}

export async function listCities(db: Queryable, options: { enabledOnly?: boolean } = {}): Promise<City[]> {
  const { rows } = await db.query<CityRow>(
    `SELECT ${COLUMNS} FROM cities ${options.enabledOnly ? 'WHERE enabled' : ''} ORDER BY priority DESC, id`,
  );
  return rows.map(toCity);
}

export async function getCity(db: Queryable, id: string): Promise<City> {
  const { rows } = await db.query<CityRow>(`SELECT ${COLUMNS} FROM cities WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError(`no city with id ${JSON.stringify(id)}`);
  return toCity(rows[0]);
}

/** Where a city is, for searches: its centre, radius and time zone. */
export type CityPlace = Pick<City, 'id' | 'latitude' | 'longitude' | 'radiusM' | 'timezone'>;

/** How long one read of every city's place serves searches through one database handle. */
export const CITY_PLACES_MAX_AGE_MS = 1000;
const places = keptRead((db: Queryable): Promise<CityPlace[]> => listCities(db), CITY_PLACES_MAX_AGE_MS);

/**
 * Every city's place. Searches by place or city ask on every request while cities change
 * rarely, so one read serves a database handle for up to CITY_PLACES_MAX_AGE_MS, and
 * upsertCity through that handle drops it at once; a change made elsewhere (another replica,
 * plain SQL) shows within that age. `fresh` reads it now.
 */
export function cityPlaces(db: Queryable, options: { fresh?: boolean } = {}): Promise<CityPlace[]> {
  return places.get(db, options);
}

export async function upsertCity(db: Queryable, c: CityInput): Promise<City> {
  places.drop(db);
  const { rows } = await db.query<CityRow>(
    `INSERT INTO cities (id, name, latitude, longitude, radius_m, timezone, priority, enabled, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
       radius_m = EXCLUDED.radius_m, timezone = EXCLUDED.timezone, priority = EXCLUDED.priority,
       enabled = EXCLUDED.enabled, sources = EXCLUDED.sources, updated_at = now()
     RETURNING ${COLUMNS}`,
    [c.id, c.name, c.latitude, c.longitude, c.radiusM ?? 50_000, c.timezone, c.priority ?? 5, c.enabled ?? true, JSON.stringify(c.sources ?? {})],
  );
  return toCity(rows[0]!);
}

export async function updateCity(db: Queryable, id: string, patch: Partial<CityInput>): Promise<City> {
  const current = await getCity(db, id);
  return upsertCity(db, { ...current, ...patch, id });
}
