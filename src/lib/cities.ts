/** The cities file loaded at start (SCENESCOUT_CITIES_FILE), checked against the city contract. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cityInputSchema, type CityInput } from '../contracts/cities.js';
import { formatIssues } from '../contracts/parse.js';
import { ConfigError } from './errors.js';
import { packageRoot } from './paths.js';

export const DEFAULT_CITIES_FILE = 'config/cities.json';

/**
 * Reads a cities file: `{ "cities": [CityInput, ...] }`. Relative feed and page paths are
 * resolved against the file's folder's parent (the package root for the default file).
 * A bad file is a ConfigError naming the file, the city's index and the field.
 */
export function loadCitiesFile(file = path.join(packageRoot(), DEFAULT_CITIES_FILE)): CityInput[] {
  const where = `SCENESCOUT_CITIES_FILE=${JSON.stringify(file)}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
  const list = (raw as { cities?: unknown } | null)?.cities;
  if (!Array.isArray(list)) throw new ConfigError(`${where}: expected {"cities": [...]}`);
  const base = path.dirname(path.dirname(path.resolve(file)));
  const resolve = (p: string) => (/^https?:\/\//.test(p) || path.isAbsolute(p) ? p : path.join(base, p));
  return list.map((c, i) => {
    const r = cityInputSchema.safeParse(c);
    if (!r.success) throw new ConfigError(`${where}: cities[${i}]: ${formatIssues(r.error.issues)}`);
    const city = r.data;
    if (city.sources?.ics) city.sources.ics.feeds = city.sources.ics.feeds.map(resolve);
    if (city.sources?.jsonld) city.sources.jsonld.pages = city.sources.jsonld.pages.map(resolve);
    return city;
  });
}
