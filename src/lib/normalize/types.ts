/**
 * Shapes shared by the normalizer and its per-source readers.
 *
 * A *raw event* is a provider's own object as its API returns it (stored in `raw_events.data`).
 * A *normalized event* is the one source-independent shape the catalogue (`events` table) is
 * built from; every field maps onto a column there.
 */
import { SceneScoutError } from '../errors.js';
import type { Category } from './categories.js';

export type { Category } from './categories.js';

/** The sources `normalizeRawEvent` understands. */
export const INGEST_SOURCES = ['ticketmaster', 'eventbrite', 'yelp', 'ics', 'jsonld'] as const;
export type IngestSource = (typeof INGEST_SOURCES)[number];

/** Mirrors the CHECK constraint on `events.status`. */
export type EventStatus = 'scheduled' | 'cancelled' | 'postponed' | 'rescheduled';

export interface NormalizedVenue {
  name: string | null;
  address: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface NormalizedEvent {
  source: string;
  externalId: string;
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date | null;
  /** IANA zone the event's wall-clock times belong to. */
  timezone: string;
  allDay: boolean;
  status: EventStatus;
  venue: NormalizedVenue;
  priceMin: number | null;
  priceMax: number | null;
  currency: string | null;
  isFree: boolean | null;
  url: string | null;
  imageUrl: string | null;
  category: Category;
}

export interface NormalizeContext {
  /** IANA zone of the city; naive local times without a zone of their own are read in it. */
  timezone?: string;
  /** Name of the city; fills `venue.city` when a source gives a venue but no city. */
  cityName?: string;
}

/**
 * A raw record that cannot become a catalogue event. The message names the source, the record
 * id (when the record has one) and the field, so a row in `raw_events.error` explains itself.
 */
export class NormalizationError extends SceneScoutError {
  readonly source: string;
  readonly recordId: string | null;
  /** Dotted path of the missing or invalid field in the provider's object, e.g. `dates.start`. */
  readonly field: string;

  constructor(source: string, recordId: string | null, field: string, problem: string) {
    const record = recordId === null ? `${source} record (no id)` : `${source} record "${recordId}"`;
    super('ERR_NORMALIZE', `${record}: ${problem}`);
    this.source = source;
    this.recordId = recordId;
    this.field = field;
  }
}
