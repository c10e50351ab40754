/** Cleaning of free text, coordinates, prices and links, shared by every source. */
import { decodeHTML } from 'entities';

// Only things that look like real tags, so a title such as "I <3 jazz" keeps its text.
const TAG = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/g;
const SCRIPT_OR_STYLE = /<(script|style)\b[\s\S]*?<\/\1\s*>/gi;

// Whitespace that collapsing would change: a run of two, or any kind other than a plain space.
const UNTIDY_SPACE = /\s\s|[^\S ]/;

function collapse(text: string): string | null {
  const collapsed = (UNTIDY_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
  return collapsed === '' ? null : collapsed;
}

/** Titles and names: entities decoded, stray tags removed, whitespace collapsed. */
export function cleanText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Tags go before decoding so an encoded "&lt;b&gt;" stays visible text rather than vanishing.
  // Most text has neither; skipping both passes is most of cleaning's cost.
  const untagged = value.includes('<') ? value.replace(TAG, ' ') : value;
  return collapse(untagged.includes('&') ? decodeHTML(untagged) : untagged);
}

/** Descriptions: as `cleanText`, and script/style bodies dropped with their tags. */
export function cleanDescription(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return cleanText(value.replace(SCRIPT_OR_STYLE, ' '));
}

function toFiniteNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : null;
}

/** Latitude/longitude from a number or a numeric string; unparsable or out of range → null. */
export function toCoordinates(latitude: unknown, longitude: unknown): { latitude: number | null; longitude: number | null } {
  let lat = toFiniteNumber(latitude);
  let lng = toFiniteNumber(longitude);
  if (lat !== null && (lat < -90 || lat > 90)) lat = null;
  if (lng !== null && (lng < -180 || lng > 180)) lng = null;
  // A half-known position is no position; (0, 0) is the usual placeholder of a missing one.
  if (lat === null || lng === null || (lat === 0 && lng === 0)) return { latitude: null, longitude: null };
  return { latitude: lat, longitude: lng };
}

/** A price from a number or a string such as "25", "25.00", "$1,250.50", "25 EUR" or "Free"; negative → null. */
export function toPrice(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^free$/i.test(text)) return 0;
  const match = /^[^\d-]{0,4}(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*[A-Za-z]{3})?$/.exec(text);
  if (!match) return null;
  return Number(match[1].replace(/,/g, '') + (match[2] ?? ''));
}

/** ISO 4217 code in upper case, else null. */
export function toCurrency(value: unknown): string | null {
  return typeof value === 'string' && /^[a-zA-Z]{3}$/.test(value.trim()) ? value.trim().toUpperCase() : null;
}

/** An absolute http(s) URL; relative ones are resolved against `base` when given. */
export function toUrl(value: unknown, base?: string | null): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = base ? new URL(value.trim(), base) : new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Joins the non-empty parts with ", ". */
export function joinParts(...parts: Array<string | null | undefined>): string | null {
  const kept = parts.map((part) => cleanText(part ?? null)).filter((part): part is string => part !== null);
  return kept.length > 0 ? kept.join(', ') : null;
}

/** Free-text location "Venue, street, city" → the venue name is the first part, the address the rest. */
export function splitLocation(value: unknown): { name: string | null; address: string | null } {
  const text = cleanText(value);
  if (text === null) return { name: null, address: null };
  // iCalendar escapes commas in text values; a client that forgot to unescape leaves "\,".
  const plain = text.replace(/\\,/g, ',');
  // "Café Central (Herrengasse 14, 1010 Wien)": the bracketed part is the address, kept whole.
  const bracketed = /^([^,()]*[^\s(,])\s*\(([^()]+)\)$/.exec(plain);
  if (bracketed) return { name: cleanText(bracketed[1]), address: cleanText(bracketed[2]) };
  // Otherwise the name ends at the first comma outside brackets.
  let depth = 0;
  for (let i = 0; i < plain.length; i++) {
    const c = plain[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ',' && depth === 0) return { name: cleanText(plain.slice(0, i)), address: cleanText(plain.slice(i + 1)) };
  }
  return { name: cleanText(plain), address: null };
}
