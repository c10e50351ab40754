/** City validation and the cities config file loaded at start. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CityInput } from '../server/context.js';
import { ConfigError, ValidationError } from './errors.js';
import { packageRoot } from './paths.js';

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const stringList = z.array(z.string().min(1)).max(200);

export const citySourcesSchema = z
  .object({
    eventbrite: z.object({ organizationIds: stringList.optional(), venueIds: stringList.optional() }).strict().optional(),
    ics: z.object({ feeds: stringList }).strict().optional(),
    jsonld: z.object({ pages: stringList }).strict().optional(),
    ticketmaster: z.object({ enabled: z.boolean() }).strict().optional(),
    yelp: z.object({ enabled: z.boolean() }).strict().optional(),
  })
  .strict();

export const cityInputSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and hyphens'),
    name: z.string().min(1).max(200),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    radiusM: z.number().int().min(100).max(500_000).optional(),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
    priority: z.number().int().min(0).max(100).optional(),
    enabled: z.boolean().optional(),
    sources: citySourcesSchema.optional(),
  })
  .strict();

export const cityPatchSchema = cityInputSchema.partial().omit({ id: true }).strict();

export function formatZodError(prefix: string, error: z.ZodError): string {
  return `${prefix}: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
}

export function parseCityInput(input: unknown): CityInput {
  const r = cityInputSchema.safeParse(input);
  if (!r.success) throw new ValidationError(formatZodError('invalid city', r.error));
  return r.data;
}

export function parseCityPatch(input: unknown): Partial<CityInput> {
  const r = cityPatchSchema.safeParse(input);
  if (!r.success) throw new ValidationError(formatZodError('invalid city update', r.error));
  return r.data;
}

export const DEFAULT_CITIES_FILE = 'config/cities.json';

/**
 * Reads a cities file: `{ "cities": [CityInput, ...] }`. Relative feed and page paths are
 * resolved against the file's folder's parent (the package root for the default file).
 */
export function loadCitiesFile(file = path.join(packageRoot(), DEFAULT_CITIES_FILE)): CityInput[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`SCENESCOUT_CITIES_FILE=${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  const list = (raw as { cities?: unknown }).cities;
  if (!Array.isArray(list)) throw new ConfigError(`SCENESCOUT_CITIES_FILE=${JSON.stringify(file)}: expected {"cities": [...]}`);
  const base = path.dirname(path.dirname(path.resolve(file)));
  return list.map((c, i) => {
    const r = cityInputSchema.safeParse(c);
    if (!r.success) throw new ConfigError(formatZodError(`SCENESCOUT_CITIES_FILE=${JSON.stringify(file)}: cities[${i}]`, r.error));
    const city = r.data;
    const resolve = (p: string) => (/^https?:\/\//.test(p) || path.isAbsolute(p) ? p : path.join(base, p));
    if (city.sources?.ics) city.sources.ics.feeds = city.sources.ics.feeds.map(resolve);
    if (city.sources?.jsonld) city.sources.jsonld.pages = city.sources.jsonld.pages.map(resolve);
    return city;
  });
}
