/**
 * The event query: what `GET /api/events`, `scenescout` and `queryEvents()` accept. Query-string
 * values arrive as text, so numbers and switches are accepted as text too; `from`/`to` may be
 * Dates in library calls. Parsing keeps `from`/`to` as the ISO text given (a Date becomes its ISO
 * string), so a parsed query can be passed on and parsed again unchanged.
 *
 * Time: `from`/`to` select the events that overlap the range (an event still running at `from`
 * is included). A date without a time means that whole day in `tz`, else the `city`'s zone,
 * else UTC: `from=2026-12-12&to=2026-12-13` covers both days from local midnight to midnight.
 *
 * Several values (`category`, `status`, `source`) may be given as an array or comma-separated.
 */
import { z } from 'zod';
import { CATEGORIES, type Category } from './categories.js';
import { cityIdSchema } from './cities.js';
import { SOURCES } from './sources.js';
import { timeZoneSchema } from './time-zone.js';

export const EVENT_QUERY_MAX_LIMIT = 200;
/** Widest search around a point; wider is a catalogue dump, which `from`/`to` paging serves. */
export const EVENT_QUERY_MAX_RADIUS_KM = 500;
export const EVENT_STATUSES = ['scheduled', 'cancelled', 'postponed', 'rescheduled'] as const;
/** `start` (default): start time, then id. `distance`: nearest first (needs lat/lng). `relevance`: best text match first (needs q). */
export const EVENT_SORTS = ['start', 'distance', 'relevance'] as const;

/** A number, or a decimal number written as text ('52.5', '-13'); anything else is not a number. */
const numeric = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v.trim()) ? Number(v) : v),
    z.number({ error: 'must be a number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date(), z.date().transform((d) => d.toISOString())], {
    error: 'must be an ISO 8601 date or date-time, e.g. 2025-06-01 or 2025-06-01T18:00:00Z',
  })
  // Postgres timestamps (and PGlite's) start in year 1: year 0 is a 22008 error, not an empty page.
  .refine((iso) => {
    const year = new Date(iso).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must be between the years 0001 and 9999');

const switchValue = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

/**
 * One value or several: an array, or text separated by commas; each trimmed, empty ones dropped.
 * A bad value is reported under the field's own name ("category: must be one of …").
 */
function several<T extends z.ZodType>(item: T) {
  return z
    .preprocess(
      (v) => {
        const list = typeof v === 'string' ? v.split(',') : v;
        return Array.isArray(list) ? list.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '') : list;
      },
      z.array(z.unknown(), { error: 'must be text or a list' }).min(1, 'must name at least one value').max(20, 'must name at most 20 values'),
    )
    .transform((list, ctx) => {
      const out: Array<z.output<T>> = [];
      for (const value of list) {
        const parsed = item.safeParse(value);
        if (parsed.success) out.push(parsed.data);
        else ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'is not valid' });
      }
      return out;
    });
}

/** Categories in any letter case ('Music' is music). */
const category = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }),
);
const status = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(EVENT_STATUSES, { error: `must be one of ${EVENT_STATUSES.join(', ')}` }),
);
const source = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` }),
);

export const eventQuerySchema = z
  .strictObject({
    lat: numeric(-90, 90).optional(),
    lng: numeric(-180, 180).optional(),
    /** km around lat/lng; default 25 */
    radius_km: numeric(0.1, EVENT_QUERY_MAX_RADIUS_KM).optional(),
    /** events still running at or after this */
    from: instant.optional(),
    /** events starting at or before this (a date: before the end of that day) */
    to: instant.optional(),
    /** the zone of date-only `from`/`to`; default the city's zone, else UTC */
    tz: timeZoneSchema.optional(),
    /** events in this city's area, and events without coordinates discovered for it */
    city: cityIdSchema.optional(),
    category: several(category).optional(),
    /** free (true) or paid (false) events; events with unknown prices match neither */
    free: switchValue.optional(),
    status: several(status).optional(),
    /** events with a record from this source */
    source: several(source).optional(),
    /** events whose content changed at or after this instant */
    updated_since: instant.optional(),
    /**
     * words, each starting a word of the title, venue or city, any order, ignoring case and
     * accents; at least one letter or digit (text of punctuation alone has no words to look up,
     * and matching it as it stands meant reading every event: 4.5 s for `%` at 1M)
     */
    q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
      .refine((s) => /[\p{L}\p{N}]/u.test(s), 'must hold a letter or a digit').optional(),
    sort: z.enum(EVENT_SORTS, { error: `must be one of ${EVENT_SORTS.join(', ')}` }).optional(),
    limit: numeric(1, EVENT_QUERY_MAX_LIMIT).pipe(z.number().int('must be an integer')).optional(),
    /** `nextCursor` of the previous page */
    cursor: z.string().min(1).max(512).optional(),
    /** leave out child shows linked to a festival/umbrella event, or the umbrella events themselves */
    exclude: z.enum(['children', 'parents'], { error: "must be 'children' or 'parents'" }).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.lat === undefined) !== (v.lng === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lng'], message: 'lat and lng must be given together' });
    }
    if (v.radius_km !== undefined && v.lat === undefined) {
      ctx.addIssue({ code: 'custom', path: ['radius_km'], message: 'needs lat and lng' });
    }
    // A date-only `to` runs to the end of that day in a zone not known here; the exact check,
    // in the query's zone, is the catalogue's (src/lib/catalogue/query.ts).
    const DAY = 86_400_000;
    if (v.from && v.to && Date.parse(v.from) > Date.parse(v.to) + (/^\d{4}-\d{2}-\d{2}$/.test(v.to) ? DAY + 14 * 3_600_000 : 0)) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    }
    if (v.sort === 'distance' && v.lat === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sort'], message: 'distance needs lat and lng' });
    }
    if (v.sort === 'relevance' && v.q === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sort'], message: 'relevance needs q' });
    }
  });

/** Validated: numbers are numbers, `from`/`to` ISO text, lists arrays. */
export type EventQuery = z.output<typeof eventQuerySchema>;

/** As a caller gives it: numbers may be strings, `from`/`to` Dates or ISO text, lists comma-separated. */
export interface EventQueryInput {
  lat?: number | string;
  lng?: number | string;
  radius_km?: number | string;
  from?: string | Date;
  to?: string | Date;
  tz?: string;
  city?: string;
  category?: string | Category | readonly string[];
  free?: boolean | string;
  status?: string | readonly string[];
  source?: string | readonly string[];
  updated_since?: string | Date;
  q?: string;
  sort?: string;
  limit?: number | string;
  cursor?: string;
  exclude?: 'children' | 'parents' | (string & {});
}
