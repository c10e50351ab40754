/**
 * The event query: what `GET /api/events` and `queryEvents()` accept. Query-string values
 * arrive as text, so numbers are accepted as decimal strings too; `from`/`to` may be Dates in
 * library calls. Parsing keeps `from`/`to` as the ISO text given (a Date becomes its ISO
 * string), so a parsed query can be passed on and parsed again unchanged.
 */
import { z } from 'zod';
import { CATEGORIES } from './categories.js';

export const EVENT_QUERY_MAX_LIMIT = 200;
/** Widest search around a point; wider is a catalogue dump, which `from`/`to` paging serves. */
export const EVENT_QUERY_MAX_RADIUS_KM = 500;

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

export const eventQuerySchema = z
  .strictObject({
    lat: numeric(-90, 90).optional(),
    lng: numeric(-180, 180).optional(),
    /** km around lat/lng; default 25 */
    radius_km: numeric(0.1, EVENT_QUERY_MAX_RADIUS_KM).optional(),
    /** events starting at or after */
    from: instant.optional(),
    /** events starting at or before */
    to: instant.optional(),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
    /** words in the title, venue or city */
    q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
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
    if (v.from && v.to && Date.parse(v.from) > Date.parse(v.to)) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    }
  });

/** Validated: numbers are numbers, `from`/`to` ISO text. */
export type EventQuery = z.output<typeof eventQuerySchema>;

/** As a caller gives it: numbers may be strings, `from`/`to` Dates or ISO text. */
export interface EventQueryInput {
  lat?: number | string;
  lng?: number | string;
  radius_km?: number | string;
  from?: string | Date;
  to?: string | Date;
  category?: string;
  q?: string;
  limit?: number | string;
  cursor?: string;
  exclude?: 'children' | 'parents' | (string & {});
}
