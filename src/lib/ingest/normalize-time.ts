/**
 * Turning provider date strings into instants. All zone arithmetic is luxon's.
 *
 * Naive local times (no offset) are read in an IANA zone. Two DST edges need a rule:
 * - Spring-forward gap: "2026-03-29T02:30" does not exist in Europe/Berlin. Luxon moves the
 *   wall clock forward by the length of the gap (→ 03:30 CEST = 01:30Z); we keep that.
 * - Fall-back overlap: "2026-10-25T02:30" happens twice in Europe/Berlin. Luxon on its own picks
 *   the later (standard-time, +01:00) instant; we pick the earlier (+02:00, 00:30Z), the first
 *   occurrence, as RFC 5545 prescribes for iCalendar and as JavaScript's Date and Temporal's
 *   'compatible' disambiguation do.
 */
import { DateTime, IANAZone } from 'luxon';

export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Date, then optionally a time (T or space), then optionally Z or an offset.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

export interface ParsedTime {
  instant: DateTime;
  /** The text was a bare date: an all-day event starting at local midnight. */
  dateOnly: boolean;
  /** The text carried its own offset or Z (so it is not a wall-clock time in `zone`). */
  hasOffset: boolean;
}

export function isValidZone(zone: unknown): zone is string {
  return typeof zone === 'string' && zone.trim() !== '' && IANAZone.isValidZone(zone.trim());
}

/** The first candidate that is a valid IANA zone, else 'UTC'. */
export function pickZone(...candidates: unknown[]): string {
  for (const candidate of candidates) if (isValidZone(candidate)) return candidate.trim();
  return 'UTC';
}

/** Among the instants a wall-clock time may denote (two in a fall-back overlap), the earliest. */
function earliestPossible(local: DateTime): DateTime {
  return local.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a));
}

/** Local midnight of an ISO date ('YYYY-MM-DD') in `zone`, or null when the date is invalid. */
export function localMidnight(date: string, zone: string): DateTime | null {
  if (!DATE_ONLY.test(date)) return null;
  const dt = DateTime.fromISO(date, { zone });
  return dt.isValid ? earliestPossible(dt) : null;
}

/**
 * Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:mm[:ss[.fff]]" with or without "Z"/"±HH[:mm]".
 * Returns null for anything else, including impossible dates such as February 30th.
 */
export function parseDateTime(text: unknown, zone: string): ParsedTime | null {
  if (typeof text !== 'string') return null;
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, date, time, offset] = match;
  if (time === undefined) {
    const midnight = localMidnight(date, zone);
    return midnight ? { instant: midnight, dateOnly: true, hasOffset: false } : null;
  }
  const iso = `${date}T${time.replace(',', '.')}${offset ?? ''}`;
  if (offset !== undefined) {
    const dt = DateTime.fromISO(iso, { setZone: true });
    return dt.isValid ? { instant: dt, dateOnly: false, hasOffset: true } : null;
  }
  const dt = DateTime.fromISO(iso, { zone });
  return dt.isValid ? { instant: earliestPossible(dt), dateOnly: false, hasOffset: false } : null;
}

/** The local midnight after the given instant's local date: the exclusive end of an inclusive end date. */
export function nextLocalMidnight(instant: DateTime, zone: string): DateTime {
  const next = instant.setZone(zone).startOf('day').plus({ days: 1 });
  return localMidnight(next.toISODate() ?? '', zone) ?? next;
}
