/**
 * What the catalogue answers: one canonical event with its sources, and a page of them
 * (glossary: canonical event, source record). `GET /api/events`, `GET /api/events/:id`, the
 * OpenAPI document and the dashboard read these; src/lib/catalogue/event-json.ts builds them.
 * The event object is loose (additional properties allowed): a field added to the answer does
 * not break clients that validate it.
 */
import { z } from 'zod';

const isoInstant = z.string().meta({ format: 'date-time' });

export const eventVenueSchema = z.object({
  name: z.string().nullable(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  region: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});

/** One source's record of the event (glossary: source record). */
export const eventSourceSchema = z.object({
  source: z.string(),
  externalId: z.string(),
  url: z.string().nullable(),
  status: z.string(),
  firstSeenAt: isoInstant,
  lastSeenAt: isoInstant,
  /** set when the source stopped listing the event */
  missingSince: isoInstant.nullable(),
});

const canonicalEventShape = {
  id: z.guid(),
  title: z.string(),
  description: z.string().nullable(),
  startsAt: isoInstant,
  endsAt: isoInstant.nullable(),
  timezone: z.string(),
  allDay: z.boolean(),
  status: z.string().meta({ examples: ['scheduled', 'cancelled', 'postponed', 'rescheduled'] }),
  venue: eventVenueSchema,
  category: z.string(),
  priceMin: z.number().nullable(),
  priceMax: z.number().nullable(),
  currency: z.string().nullable(),
  isFree: z.boolean().nullable(),
  url: z.string().nullable(),
  imageUrl: z.string().nullable(),
  cityId: z.string().nullable(),
  /** every city whose area holds the event (a record can belong to several) */
  cityIds: z.array(z.string()).optional(),
  /** kilometres from the searched point, when the query gave one */
  distanceKm: z.number().optional(),
  /** true when the position is the city's, not the venue's (the source gave no coordinates) */
  locationApproximate: z.boolean().optional(),
  /** set when every source stopped listing the event */
  missingSince: isoInstant.nullable(),
  /** weakest match score of the merged records; null when the event has one source */
  mergeScore: z.number().nullable(),
  /** why its records were merged (single-event answers only) */
  mergeReasons: z.unknown().optional(),
  firstSeenAt: isoInstant,
  lastSeenAt: isoInstant,
  updatedAt: isoInstant,
  /** when a discovery last saw one of the event's source records (source health) */
  lastConfirmedAt: isoInstant.nullable().optional(),
  sources: z.array(eventSourceSchema),
};
export const canonicalEventSchema = z.looseObject(canonicalEventShape).meta({ id: 'CanonicalEvent' });
/** The fields this contract names (without the index signature of the loose object). */
export type CanonicalEvent = z.output<z.ZodObject<typeof canonicalEventShape>>;

export const eventPageSchema = z
  .object({
    events: z.array(canonicalEventSchema),
    /** pass back as `cursor` for the next page; null on the last page */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'EventPage' });
export type EventPage = z.output<typeof eventPageSchema>;

/** The path parameter of `GET /api/events/:id`: an event's id, or an id merged into another. */
export const eventIdSchema = z.guid({ error: 'must be a UUID' });
