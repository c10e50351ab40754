/**
 * Shapes shared by the normalizer and its per-source readers.
 *
 * A *raw event* is a provider's own object as its API returns it (stored in `raw_events.data`).
 * A *normalized event* is the one source-independent shape the catalogue (`events` table) is
 * built from; every field maps onto a column there.
 */
import { SOURCES, type SourceId } from '../../contracts/sources.js';
import type { Category } from './categories.js';

export type { Category } from './categories.js';
export { NormalizationError } from '../errors.js';

/** The sources `normalizeRawEvent` understands: every source. */
export const INGEST_SOURCES = SOURCES;
export type IngestSource = SourceId;

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
