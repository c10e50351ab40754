/**
 * Cities: what discovery covers. One schema for the HTTP API, the CLI and the cities file
 * (SCENESCOUT_CITIES_FILE), so a city accepted by one is accepted by all.
 */
import { z } from 'zod';
import { parseWith } from './parse.js';
import { timeZoneSchema } from './time-zone.js';

export { isValidTimeZone } from './time-zone.js';

export const cityIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug such as berlin or new-york');

const stringList = z.array(z.string().min(1)).max(200);

/** Per-source settings of a city; a source left out runs with its defaults. */
export const citySourcesSchema = z.strictObject({
  /** Eventbrite has no public search: discovery lists these organizations' and venues' events. */
  eventbrite: z.strictObject({ organizationIds: stringList.optional(), venueIds: stringList.optional() }).optional(),
  /** iCalendar feeds: URLs, or paths relative to the cities file's folder's parent. */
  ics: z.strictObject({ feeds: stringList }).optional(),
  /** Pages with schema.org Event JSON-LD: URLs or paths, as for feeds. */
  jsonld: z.strictObject({ pages: stringList }).optional(),
  ticketmaster: z.strictObject({ enabled: z.boolean() }).optional(),
  yelp: z.strictObject({ enabled: z.boolean() }).optional(),
});
export type CitySources = z.output<typeof citySourcesSchema>;

const cityFields = {
  name: z.string().trim().min(1).max(200),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  /** metres around the centre that discovery searches; default 50 km */
  radiusM: z.number().int().min(100).max(500_000).optional(),
  /** an IANA zone, kept as given (see time-zone.ts) */
  timezone: timeZoneSchema,
  /** 0–100; higher-priority cities are discovered first when a budget runs short */
  priority: z.number().int().min(0).max(100).optional(),
  enabled: z.boolean().optional(),
  sources: citySourcesSchema.optional(),
};

export const cityInputSchema = z.strictObject({ id: cityIdSchema, ...cityFields });
export type CityInput = z.output<typeof cityInputSchema>;

/** A change to a city. `id` may be repeated (it must then match the city being changed). */
export const cityPatchSchema = z
  .strictObject({ id: cityIdSchema, ...cityFields })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'patch must change at least one field' });
export type CityPatch = z.output<typeof cityPatchSchema>;

/** A stored city: every field filled in (what the API answers). */
export const citySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    latitude: z.number(),
    longitude: z.number(),
    radiusM: z.number(),
    timezone: z.string(),
    priority: z.number(),
    enabled: z.boolean(),
    sources: citySourcesSchema,
  })
  .meta({ id: 'City' });
export type City = z.output<typeof citySchema>;

/** A ValidationError naming each bad field ("invalid city: timezone: must be …"). */
export function parseCityInput(input: unknown): CityInput {
  return parseWith(cityInputSchema, input, 'city');
}
