/** The sources of events: one provider client and one normalizer each (glossary: source). */
import { z } from 'zod';

export const SOURCES = ['ticketmaster', 'eventbrite', 'yelp', 'ics', 'jsonld'] as const;
export type SourceId = (typeof SOURCES)[number];

/** The sources that need an API key or token; without one they are disabled. */
export const KEYED_SOURCES = ['ticketmaster', 'eventbrite', 'yelp'] as const satisfies readonly SourceId[];

export const sourceIdSchema = z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` });

export function isSourceId(value: unknown): value is SourceId {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}
