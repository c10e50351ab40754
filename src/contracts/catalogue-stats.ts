/**
 * What the catalogue holds per city, for the dashboard's cities view (`GET /api/cities/stats`):
 * events, the records each source discovered and when discovery last ran.
 */
import { z } from 'zod';

const isoInstant = z.string().meta({ format: 'date-time' });

export const citySourceStatsSchema = z.object({
  source: z.string(),
  /** source records discovered for the city */
  records: z.number().int().min(0),
  /** the last time discovery saw one of them */
  lastSeenAt: isoInstant.nullable(),
  /** the last completed discovery task of this (city, source) */
  lastDiscoveryAt: isoInstant.nullable(),
});

export const cityStatsSchema = z
  .object({
    cityId: z.string(),
    /** canonical events of the city (merged-away ones not counted) */
    events: z.number().int().min(0),
    /** of those, the ones not yet over */
    upcomingEvents: z.number().int().min(0),
    sources: z.array(citySourceStatsSchema),
    /** the last completed discovery task of the city, any source */
    lastDiscoveryAt: isoInstant.nullable(),
  })
  .meta({ id: 'CityStats' });
export type CityStats = z.output<typeof cityStatsSchema>;
export type CitySourceStats = z.output<typeof citySourceStatsSchema>;
