/**
 * The health of each (city, source, feed) (`GET /api/sources`): when discovery last succeeded and
 * failed there, how many times in a row it failed, and whether it is quarantined (skipped by
 * discovery until its backoff ends). `feed` is an iCalendar feed or JSON-LD page, with secrets in
 * its URL redacted, or null for an API source.
 */
import { z } from 'zod';

const isoInstant = z.string().meta({ format: 'date-time' });

export const sourceHealthIdSchema = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'must be a source health id: 16 lower-case hex digits, as GET /api/sources lists them');

export const sourceHealthSchema = z
  .object({
    /** names the row in `POST /api/sources/:id/unquarantine` */
    id: z.string(),
    cityId: z.string(),
    source: z.string(),
    /** the feed or page, secrets redacted; null for an API source */
    feed: z.string().nullable(),
    lastSuccessAt: isoInstant.nullable(),
    lastErrorAt: isoInstant.nullable(),
    /** the last failure's message (no response bodies, secrets redacted) */
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int().min(0),
    /** events the last successful discovery found there */
    eventsLastSeen: z.number().int().min(0).nullable(),
    /** set while quarantined: discovery skips it until then */
    quarantinedUntil: isoInstant.nullable(),
    quarantined: z.boolean(),
    /** quarantines in a row; each doubles the backoff */
    quarantines: z.number().int().min(0),
    updatedAt: isoInstant,
  })
  .meta({ id: 'SourceHealth' });
export type SourceHealth = z.output<typeof sourceHealthSchema>;

/** Worst first: quarantined, then by consecutive failures, then the oldest success. */
export const sourceHealthListSchema = z.array(sourceHealthSchema).meta({ id: 'SourceHealthList' });

export const unquarantineResultSchema = z
  .object({ id: z.string(), unquarantined: z.literal(true), health: sourceHealthSchema })
  .meta({ id: 'UnquarantineResult' });
export type UnquarantineResult = z.output<typeof unquarantineResultSchema>;

/** The quarantine rule: after `quarantineAfter` failures in a row, back off `backoffMs`, doubling each time up to `maxBackoffMs`. */
export interface QuarantinePolicy {
  quarantineAfter: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** What a service offers on source health; absent in a test double without a database (501). */
export interface SourceHealthOperations {
  list(): Promise<SourceHealth[]>;
  /** NotFoundError when there is no such row. */
  unquarantine(id: string): Promise<UnquarantineResult>;
}
