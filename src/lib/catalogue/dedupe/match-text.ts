/**
 * Match keys for cross-source deduplication: the canonical comparison forms of titles, venue
 * names and cities. Titles lose what sources disagree on (promoter prefixes, "feat." clauses,
 * session markers, noise words, a trailing venue name); venues lose "the", synonyms and their
 * own city.
 *
 * Everything here is pure and allocation-light: dedupe calls it once per event, not per pair.
 */
import { foldText, tokensOf } from './fold-text.js';
import { stripMarkers } from './session-markers.js';
import { textSimilarity, tokenSet } from './text-similarity.js';
import { own } from '../../own.js';

const TITLE_NOISE = new Set([
  'the', 'a', 'an', 'and', 'live', 'presents', 'present', 'tickets', 'ticket', 'tix', 'tour', 'official',
  'with', 'w', 'in', 'concert', 'event', 'special', 'guest', 'guests', 'music',
  // "(doors)", "Einlass", "ouverture des portes": when the listing opens, not what it is
  'doors', 'door', 'einlass', 'portes',
]);

/**
 * Feature clauses ("feat. X", "ft X", "with special guests ...") run to the end of the title or
 * to the next bracket / separator. Sources disagree on whether they list the support act.
 */
const FEATURE_CLAUSE = /(?:\bfeat\b\.?|\bft\b\.?|\bfeaturing\b|(?:\bwith\b|\bw\/|\+)\s*special\s+guests?\b)[^()[\]|–—]*/g;
const PROMOTER_PREFIX = /^[^:|]*?\bpresents\b\s*[:\-–—]?\s*/;
const EVENING_WITH = /\ban evening with\b/g;
const YEAR = /\b(?:19|20)\d\d\b/g;

/**
 * Canonical comparison form of an event title: lowercase, no accents, no punctuation, no
 * promoter prefix ("KEXP presents:"), no feature clause, no session markers, no noise words
 * ("the", "live", "tickets", "tour 2026"), and, when `venue` is given, no trailing
 * "at <venue>" / "@ <venue>" / "| <venue>". Falls back to the plain folded title when the
 * title is nothing but noise ("Live!").
 */
export function normalizeTitle(s: string, venue?: string | null): string {
  const folded = foldText(s).replace(/&/g, ' and ').replace(/\bversus\b|\bv\.?(?=\s)/g, 'vs');
  let core = folded.replace(FEATURE_CLAUSE, ' ');
  const unprefixed = core.replace(PROMOTER_PREFIX, '');
  if (tokensOf(unprefixed).length > 0) core = unprefixed;
  core = stripMarkers(core.replace(EVENING_WITH, ' ')).replace(YEAR, ' ');
  if (venue) core = stripVenueSuffix(core, venue);
  const tokens = tokensOf(core).filter((t) => !TITLE_NOISE.has(t));
  if (tokens.length > 0) return tokens.join(' ');
  return tokensOf(folded).join(' ');
}

const VENUE_SEPARATOR = /\s(?:at|@|\||-|–|—|,)\s/g;

/** Cuts "salsa night at the cosmic orchard" to "salsa night" when the tail names the venue. */
function stripVenueSuffix(title: string, venue: string): string {
  const target = tokenSet(normalizeVenue(venue));
  if (target.tokens.size === 0) return title;
  VENUE_SEPARATOR.lastIndex = 0;
  for (let m = VENUE_SEPARATOR.exec(title); m !== null; m = VENUE_SEPARATOR.exec(title)) {
    const head = title.slice(0, m.index);
    const tail = normalizeVenue(title.slice(m.index + m[0].length));
    if (tokensOf(head).length > 0 && tail && textSimilarity(tokenSet(tail), target) >= 0.8) return head;
  }
  return title;
}

const CITY_ALIASES: Record<string, string> = {
  sf: 'san francisco', nyc: 'new york', 'new york city': 'new york', la: 'los angeles',
  'washington dc': 'washington', dc: 'washington', philly: 'philadelphia',
};

/** City name for blocking: folded, region/country after the first comma dropped, common aliases mapped. */
export function normalizeCity(s: string): string {
  const head = foldText(s).split(',')[0];
  const city = tokensOf(head).join(' ');
  return own(CITY_ALIASES, city) ?? city;
}

const VENUE_SYNONYMS: Record<string, string> = {
  theatre: 'theater', centre: 'center', ctr: 'center', st: 'street', ave: 'avenue',
  amphitheatre: 'amphitheater', mt: 'mount', intl: 'international',
  // street addresses stand in for a missing venue name
  blvd: 'boulevard', rd: 'road', dr: 'drive', pl: 'place', sq: 'square', hwy: 'highway', pkwy: 'parkway',
  str: 'strasse', 'straße': 'strasse',
};
const VENUE_NOISE = new Set(['the', 'and', 'at', 'venue']);

/** Names a venue's own city goes by in listings: "San Francisco" → san, francisco, sf. */
function cityTokens(city: string | null | undefined): Set<string> {
  const out = new Set<string>();
  if (!city) return out;
  const words = tokensOf(normalizeCity(city));
  for (const w of words) out.add(w);
  if (words.length > 1) {
    const initials = words.map((w) => w[0]).join('');
    out.add(initials);
    out.add(`${initials}c`);
  }
  for (const [alias, full] of Object.entries(CITY_ALIASES)) if (full === words.join(' ')) out.add(alias);
  return out;
}

/**
 * Canonical comparison form of a venue name: folded, punctuation-free, "theatre" → "theater",
 * no "the", and without the venue's own city ("Fillmore SF", "The Fillmore, San Francisco" →
 * "fillmore") when the city is given. Keeps the city words when nothing else would remain.
 */
export function normalizeVenue(s: string, city?: string | null): string {
  const folded = foldText(s).replace(/&/g, ' and ');
  const tokens = tokensOf(folded)
    .map((t) => own(VENUE_SYNONYMS, t) ?? t)
    .filter((t) => !VENUE_NOISE.has(t));
  const drop = cityTokens(city);
  const withoutCity = tokens.filter((t) => !drop.has(t));
  if (withoutCity.length > 0) return withoutCity.join(' ');
  return tokens.length > 0 ? tokens.join(' ') : tokensOf(folded).join(' ');
}
