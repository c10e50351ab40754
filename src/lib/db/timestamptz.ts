/**
 * Instants as Postgres writes them, read without regular expressions, and written as ISO text
 * without `toISOString`. A page of events holds hundreds (seven per event, three per source):
 * pg's own parser (postgres-date, three regular expressions each), `new Date(text)` and
 * `toISOString` cost more than the rest of the row conversion.
 *
 * Each reader takes the one common form and answers exactly what the slower reader it stands
 * in front of answers (test/lib/db/timestamptz.test.ts compares them); anything else (BC,
 * infinity, years before 100, other layouts) goes to that reader.
 */

const ZERO = 48;

/** The two digits at `i` as a number, or -1. */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - ZERO;
  const b = text.charCodeAt(i + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DD?HH:MM:SS` with `?` the code `separator` at 10: the time value of those fields in
 * UTC, without the fraction; NaN when the text does not start so (or the year is before 100,
 * which Date.UTC would read as 19xx).
 */
function utcFields(text: string, separator: number): number {
  if (text.length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== separator
    || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN;
  const century = two(text, 0);
  const year = two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (century < 1 || year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
    || second < 0 || second > 59) return NaN;
  // A day past the month's end (never written by Postgres) runs into the next, as in both slower readers.
  return Date.UTC(century * 100 + year, month - 1, day, hour, minute, second);
}

/** Where the run of digits starting at `i` ends. */
function digitsEnd(text: string, i: number): number {
  while (i < text.length) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) break;
    i++;
  }
  return i;
}

/**
 * A `timestamptz` in Postgres's text output (`2026-06-01 10:00:00.123456+00`, `…-03:30`):
 * the Date pg's own parser gives (milliseconds as it computes them, from the whole fraction).
 * Other texts go to `fallback`, pg's parser.
 */
export function timestamptzReader(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    let ms = utcFields(text, 32);
    if (Number.isNaN(ms)) return fallback(text);
    let i = 19;
    if (text.charCodeAt(i) === 46) {
      const end = digitsEnd(text, i + 1);
      if (end === i + 1) return fallback(text);
      // postgres-date's arithmetic, so a fraction comes out as there (Date.UTC truncates it).
      ms += Math.trunc(1000 * parseFloat(text.slice(i, end)));
      i = end;
    }
    const offset = offsetSeconds(text, i, true);
    return Number.isNaN(offset) ? fallback(text) : new Date(ms - offset * 1000);
  };
}

/**
 * `±HH`, `±HH:MM` or `±HH:MM:SS` from `i` to the end of `text`, in seconds east of UTC; NaN
 * otherwise. `hoursAlone`: whether `±HH` alone is read (Postgres writes it; Date does not).
 */
function offsetSeconds(text: string, i: number, hoursAlone: boolean): number {
  const sign = text.charCodeAt(i) === 43 ? 1 : text.charCodeAt(i) === 45 ? -1 : 0;
  if (sign === 0) return NaN;
  const hours = two(text, i + 1);
  if (hours < 0 || hours > 23) return NaN;
  const rest = text.length - (i + 3);
  if (rest === 0) return hoursAlone ? sign * hours * 3600 : NaN;
  if (text.charCodeAt(i + 3) !== 58) return NaN;
  const minutes = two(text, i + 4);
  if (minutes < 0 || minutes > 59) return NaN;
  if (rest === 3) return sign * (hours * 3600 + minutes * 60);
  if (!hoursAlone || rest !== 6 || text.charCodeAt(i + 6) !== 58) return NaN;
  const seconds = two(text, i + 7);
  return seconds < 0 || seconds > 59 ? NaN : sign * (hours * 3600 + minutes * 60 + seconds);
}

/**
 * `value` as `Date#toISOString()` writes it. A string is read as `new Date(text)` reads it;
 * the form JSON from Postgres holds (`2026-06-01T10:00:00.123456+00:00`) without its parser:
 * milliseconds are the fraction's first three digits, as V8 takes them.
 */
export function isoInstant(value: Date | string): string {
  if (typeof value !== 'string') return isoOfTime(value.getTime()) ?? value.toISOString();
  let ms = utcFields(value, 84);
  if (!Number.isNaN(ms)) {
    let i = 19;
    let ok = true;
    if (value.charCodeAt(i) === 46) {
      const end = digitsEnd(value, i + 1);
      ok = end > i + 1;
      const digits = value.slice(i + 1, Math.min(end, i + 4));
      ms += Number(digits.padEnd(3, '0'));
      i = end;
    }
    const offset = ok ? offsetSeconds(value, i, false) : NaN;
    if (!Number.isNaN(offset)) {
      const time = ms - offset * 1000;
      return isoOfTime(time) ?? new Date(time).toISOString();
    }
  }
  return new Date(value).toISOString();
}

/** An instant (or none) as the API writes it: isoInstant, null for null or undefined. */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  return value === null || value === undefined ? null : isoInstant(value);
}

const DAY_MS = 86_400_000;
/** The instants toISOString writes with a four-digit year: 0000-01-01 to 9999-12-31. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * What toISOString writes for time value `t` (a four-digit year), or undefined outside those
 * years; a few times faster than toISOString. The date is Hinnant's civil_from_days.
 */
function isoOfTime(t: number): string | undefined {
  if (!(t >= FIRST_MS && t <= LAST_MS)) return undefined;
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  const y = year < 1000 ? `${year}`.padStart(4, '0') : `${year}`;
  return `${y}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
