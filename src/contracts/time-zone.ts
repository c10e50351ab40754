/**
 * Time zones as the API takes them: IANA names such as `Europe/Berlin`, kept as given. A name
 * Intl knows under another spelling stays as the caller wrote it (`Asia/Kolkata` is not turned
 * into ICU's older `Asia/Calcutta`); only its letter case is fixed when it matches a known name.
 * Abbreviations and bare names such as `EST`, `CET` or `PST8PDT` are refused: they are
 * ambiguous (`EST` is read as America/Panama, without daylight saving) and rarely what was meant.
 */
import { z } from 'zod';

/** UTC is the one zone without an area; everything else is Area/Location. */
const ZONE_SHAPE = /^(?:UTC|(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z0-9_+\-/]+)$/i;

let known: Map<string, string> | undefined;
function knownSpelling(zone: string): string | undefined {
  known ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return zone.toUpperCase() === 'UTC' ? 'UTC' : known.get(zone.toLowerCase());
}

function intlAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA zone name in Area/Location form (or UTC) that Intl knows. */
export function isValidTimeZone(zone: string): boolean {
  return typeof zone === 'string' && ZONE_SHAPE.test(zone) && intlAccepts(zone);
}

/** The zone as it is stored: the given name, with its letter case fixed when it is a known spelling. */
export function canonicalTimeZone(zone: string): string {
  return knownSpelling(zone) ?? zone;
}

export const TIME_ZONE_MESSAGE = 'must be an IANA time zone such as Europe/Berlin or America/New_York (abbreviations such as EST are ambiguous)';

export const timeZoneSchema = z
  .string()
  .trim()
  .refine(isValidTimeZone, TIME_ZONE_MESSAGE)
  .transform(canonicalTimeZone);
