/**
 * What the HTTP API accepts. Objects are strict, so a misspelt field is a 400 that names it
 * rather than a silently ignored option.
 */
import { z } from 'zod';

const SOURCES = ['ticketmaster', 'eventbrite', 'yelp', 'ics', 'jsonld'] as const;

/** A non-negative decimal integer given as a query string value. */
const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const numberParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+(?:\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'must be an ISO 8601 date or date-time, e.g. 2025-06-01 or 2025-06-01T18:00:00Z',
});

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:@/-]+$/, 'may contain only letters, digits and _ . : @ / -');

export const workerTypeName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/i, 'must be a worker type name such as discovery, ingestion or processing');

// ---- /api/spawn -----------------------------------------------------------------------

export const spawnGetQuery = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('status') }),
  z.strictObject({ action: z.literal('workers') }),
  z.strictObject({
    action: z.literal('tasks'),
    state: z.enum(['failed', 'queued', 'active', 'all']).optional(),
    limit: intParam(1, 1000).optional(),
  }),
], { error: "action must be one of 'status', 'workers', 'tasks'" });

export const taskInput = z.strictObject({
  id,
  type: workerTypeName,
  priority: z.number().int().min(-1000).max(1000).default(0),
  parameters: z.record(z.string(), z.unknown()).default({}),
  singletonKey: z.string().min(1).max(200).optional(),
});

export const spawnPostBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('spawn'), params: z.strictObject({ type: workerTypeName }) }),
  z.strictObject({ action: z.literal('task'), params: z.strictObject({ task: taskInput }) }),
  z.strictObject({
    action: z.literal('discovery'),
    params: z
      .strictObject({
        cityIds: z.array(id).max(1000).optional(),
        sources: z.array(z.enum(SOURCES)).max(SOURCES.length).optional(),
      })
      .default({}),
  }),
], { error: "action must be one of 'spawn', 'task', 'discovery'" });

// ---- /api/events ----------------------------------------------------------------------

export const eventsQuery = z
  .strictObject({
    lat: numberParam(-90, 90).optional(),
    lng: numberParam(-180, 180).optional(),
    radius_km: numberParam(0.1, 500).optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    category: z.string().min(1).max(64).optional(),
    q: z.string().min(1).max(200).optional(),
    limit: intParam(1, 200).optional(),
    cursor: z.string().min(1).max(512).optional(),
  })
  .refine((v) => (v.lat === undefined) === (v.lng === undefined), {
    message: 'lat and lng must be given together',
    path: ['lat'],
  })
  .refine((v) => v.radius_km === undefined || v.lat !== undefined, {
    message: 'radius_km needs lat and lng',
    path: ['radius_km'],
  })
  .refine((v) => !v.from || !v.to || Date.parse(v.from) <= Date.parse(v.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

// ---- /api/dead-letters ----------------------------------------------------------------

export const deadLettersQuery = z.strictObject({ limit: intParam(1, 500).optional() });
export const taskIdParam = id;

// ---- /api/cities ----------------------------------------------------------------------

export function isValidTimeZone(tz: string): boolean {
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
    // Newer engines also accept offsets such as '+01:00', which are not IANA zone names.
    return resolved === 'UTC' || resolved.includes('/');
  } catch {
    return false;
  }
}

const cityFields = {
  name: z.string().trim().min(1).max(200),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  radiusM: z.number().int().positive().max(500_000).optional(),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin')
    // Intl accepts any letter case; store the canonical spelling.
    .transform((tz) => new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone),
  priority: z.number().int().min(0).max(100).optional(),
  enabled: z.boolean().optional(),
  sources: z.record(z.string(), z.unknown()).optional(),
};

export const cityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug such as berlin or new-york');

export const cityInput = z.strictObject({ id: cityId, ...cityFields });

export const cityPatch = z
  .strictObject({ id: cityId.optional(), ...cityFields })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'patch must change at least one field' });
