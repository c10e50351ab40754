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
import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';
import { isValidTimeZone } from '../../contracts/time-zone.js';

export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Date, then optionally a time (T or space), then optionally Z or an offset.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

export interface ParsedTime {
  /** The instant, in ms since the epoch. */
  readonly epochMs: number;
  /** The instant as a luxon DateTime in the text's offset or zone, built on first use. */
  readonly instant: DateTime;
  /** The text was a bare date: an all-day event starting at local midnight. */
  readonly dateOnly: boolean;
  /** The text carried its own offset or Z (so it is not a wall-clock time in `zone`). */
  readonly hasOffset: boolean;
}

/**
 * Most times only ever become a Date, and building a DateTime (its calendar fields, its zone)
 * was a good part of parsing one; the DateTime waits until a caller needs zone arithmetic.
 */
class Parsed implements ParsedTime {
  private dt: DateTime | undefined;
  constructor(
    readonly epochMs: number,
    private readonly make: (() => DateTime) | DateTime,
    readonly dateOnly: boolean,
    readonly hasOffset: boolean,
  ) {}
  get instant(): DateTime {
    if (this.dt === undefined) this.dt = typeof this.make === 'function' ? this.make() : this.make;
    return this.dt;
  }
}

function fromDateTime(dt: DateTime, dateOnly: boolean, hasOffset: boolean): ParsedTime {
  return new Parsed(dt.toMillis(), dt, dateOnly, hasOffset);
}

/** The instant of a parsed time as a Date. */
export function toDate(time: ParsedTime): Date {
  return new Date(time.epochMs);
}

// luxon builds an Intl.DateTimeFormat per check, which dominated normalization time;
// the set of zones seen in practice is small, so the answers are kept.
const zoneValidity = new Map<string, boolean>();

export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string') return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    const z = zone.trim();
    // Area/Location names only: an abbreviation such as EST is ambiguous (luxon reads it as a
    // fixed -05:00), so a record naming one takes the next candidate, usually the city's zone.
    valid = z !== '' && isValidTimeZone(z) && IANAZone.isValidZone(z);
    if (zoneValidity.size < 10_000) zoneValidity.set(zone, valid);
  }
  return valid;
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

// Events of a city share few dates, and each midnight costs luxon several zone lookups;
// DateTimes are immutable, so the answers are kept (the map is emptied when it grows large).
const midnights = new Map<string, DateTime | null>();

/** Local midnight of an ISO date ('YYYY-MM-DD') in `zone`, or null when the date is invalid. */
export function localMidnight(date: string, zone: string): DateTime | null {
  if (!DATE_ONLY.test(date)) return null;
  const key = `${zone} ${date}`;
  let midnight = midnights.get(key);
  if (midnight === undefined) {
    const dt = DateTime.fromISO(date, { zone });
    midnight = dt.isValid ? earliestPossible(dt) : null;
    if (midnights.size >= 50_000) midnights.clear();
    midnights.set(key, midnight);
  }
  return midnight;
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
    return midnight ? fromDateTime(midnight, true, false) : null;
  }
  const iso = `${date}T${time.replace(',', '.')}${offset ?? ''}`;
  if (offset !== undefined) {
    const fast = withOffsetFast(date, iso, offset);
    if (fast) return fast;
    const dt = DateTime.fromISO(iso, { setZone: true });
    return dt.isValid ? fromDateTime(dt, false, true) : null;
  }
  const dt = DateTime.fromISO(iso, { zone });
  return dt.isValid ? fromDateTime(earliestPossible(dt), false, false) : null;
}

/** A local midnight as a parsed (all-day) time. */
export function midnightTime(midnight: DateTime): ParsedTime {
  return fromDateTime(midnight, true, false);
}

const OFFSET = /^([Zz])$|^([+-])(\d{2}):(\d{2})$/;

function isRealDate(date: string): boolean {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * Most provider times carry "Z" or "±HH:MM": no zone rules are involved, so the instant comes
 * from Date.parse, and luxon only wraps it in the fixed offset if a caller asks, which is
 * several times cheaper than luxon's ISO parser. Anything unusual returns null and takes
 * luxon's path.
 */
function withOffsetFast(date: string, iso: string, offset: string): ParsedTime | null {
  const m = OFFSET.exec(offset);
  if (!m || !isRealDate(date)) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const minutes = m[1] ? 0 : (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
  if (Math.abs(minutes) > 18 * 60) return null;
  const zone = minutes === 0 && m[1] ? FixedOffsetZone.utcInstance : FixedOffsetZone.instance(minutes);
  return new Parsed(ms, () => DateTime.fromMillis(ms, { zone }), false, true);
}

/**
 * An event's end as a Date. An end given as a bare date includes that day, so the event runs
 * until the midnight after it (in `zone`).
 */
export function endInstant(end: ParsedTime | null, zone: string): Date | null {
  if (end === null) return null;
  return end.dateOnly ? nextLocalMidnight(end.instant, zone).toJSDate() : toDate(end);
}

/** The local midnight after the given instant's local date: the exclusive end of an inclusive end date. */
export function nextLocalMidnight(instant: DateTime, zone: string): DateTime {
  const next = instant.setZone(zone).startOf('day').plus({ days: 1 });
  return localMidnight(next.toISODate() ?? '', zone) ?? next;
}
