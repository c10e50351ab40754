/**
 * Text normalization for cross-source deduplication: titles, venue names, cities, and the
 * "session markers" (early/late show, Night 2, 9:30pm show...) that make two listings with
 * the same title at the same venue DISTINCT shows.
 *
 * Everything here is pure and allocation-light: dedupe calls it once per event, not per pair.
 */
import { decodeHTML } from 'entities';
import { distance } from 'fastest-levenshtein';

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6,
};

/** Lowercase, accent-free, HTML entities decoded. Punctuation is kept for the marker regexes. */
export function foldText(s: string): string {
  const decoded = s.includes('&') ? decodeHTML(s) : s;
  return decoded.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

function toNumber(word: string): number | null {
  const ordinal = /^(\d+)(st|nd|rd|th)?$/.exec(word);
  if (ordinal) return Number(ordinal[1]);
  return NUMBER_WORDS[word] ?? null;
}

const NUM = String.raw`(\d{1,2}(?:st|nd|rd|th)?|one|two|three|four|five|six|seven|eight|nine|ten|first|second|third|fourth|fifth)`;
/** Only ordinals may precede the noun: "2nd show" is a session, "One Night Only" is not. */
const ORD = String.raw`(\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth)`;
const SHOW_WORD = String.raw`(?:show|set|performance|seating|session)`;
const CLOCK = String.raw`(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)`;

/**
 * Each rule recognises one kind of session marker. normalizeTitle also cuts every matched
 * phrase, so "Artist (Early Show)" and "Artist" compare as the same title while the markers
 * themselves are compared separately (see markersConflict).
 */
interface MarkerRule {
  re: RegExp;
  marker: (m: RegExpExecArray) => string | null;
}

function clockMarker(h: string, min: string | undefined, ampm: string | undefined): string | null {
  let hour = Number(h);
  const minute = min === undefined ? 0 : Number(min);
  if (hour > 23 || minute > 59) return null;
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return null;
    const pm = ampm.startsWith('p');
    if (pm && hour !== 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function numbered(kind: string, word: string): string | null {
  const n = toNumber(word);
  // "Earth Day 2026" is a year, not day 2026 of a festival.
  return n !== null && n >= 1 && n <= 31 ? `${kind} ${n}` : null;
}

const MARKER_RULES: MarkerRule[] = [
  { re: new RegExp(String.raw`\bearly\s+${SHOW_WORD}\b|\(\s*early\s*\)|[-–—|:]\s*early\s*$`, 'g'), marker: () => 'early' },
  { re: new RegExp(String.raw`\blate\s+${SHOW_WORD}\b|\(\s*late\s*\)|[-–—|:]\s*late\s*$`, 'g'), marker: () => 'late' },
  { re: /\bmatinee\b/g, marker: () => 'matinee' },
  { re: new RegExp(String.raw`\bevening\s+${SHOW_WORD}\b|\(\s*evening\s*\)`, 'g'), marker: () => 'evening' },
  { re: new RegExp(String.raw`\bnight\s*(?:#|no\.?\s*)?${NUM}\b`, 'g'), marker: (m) => numbered('night', m[1]) },
  { re: new RegExp(String.raw`\b${ORD}\s+night\b`, 'g'), marker: (m) => numbered('night', m[1]) },
  { re: new RegExp(String.raw`\bday\s*(?:#|no\.?\s*)?${NUM}\b`, 'g'), marker: (m) => numbered('day', m[1]) },
  { re: new RegExp(String.raw`\bshow\s*(?:#|no\.?\s*)?${NUM}\b`, 'g'), marker: (m) => numbered('show', m[1]) },
  { re: new RegExp(String.raw`\b${ORD}\s+${SHOW_WORD}\b`, 'g'), marker: (m) => numbered('show', m[1]) },
  { re: new RegExp(String.raw`\b(?:part|pt\.?)\s*${NUM.slice(0, -1)}|i{1,3}|iv|vi?)\b`, 'g'), marker: (m) => numbered('part', m[1]) },
  { re: new RegExp(String.raw`\b${CLOCK}\s*${SHOW_WORD}\b`, 'g'), marker: (m) => clockMarker(m[1], m[2], m[3]) },
  { re: new RegExp(String.raw`\b${SHOW_WORD}\s*(?:at|@)?\s*${CLOCK}`, 'g'), marker: (m) => clockMarker(m[1], m[2], m[3]) },
  { re: new RegExp(String.raw`\(\s*${CLOCK}\s*\)`, 'g'), marker: (m) => clockMarker(m[1], m[2], m[3]) },
  { re: /\b([01]?\d|2[0-3]):([0-5]\d)\s*(?:show|set|performance|seating)\b/g, marker: (m) => clockMarker(m[1], m[2], undefined) },
];

function markersOfFolded(folded: string): string[] {
  const found = new Set<string>();
  for (const rule of MARKER_RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(folded); m !== null; m = rule.re.exec(folded)) {
      const marker = rule.marker(m);
      if (marker !== null) found.add(marker);
    }
  }
  return [...found].sort();
}

/**
 * Session markers that make two otherwise identical listings distinct shows, e.g.
 * `["early"]`, `["night 2"]`, `["19:30"]`, `["part 1"]`, `["matinee"]`. Sorted, deduplicated.
 */
export function sessionMarkers(title: string): string[] {
  return markersOfFolded(foldText(title));
}

/** The family a marker belongs to; markers only conflict within a family (see markersConflict). */
function markerKind(marker: string): string {
  if (marker === 'early' || marker === 'late') return 'slot';
  if (marker === 'matinee' || marker === 'evening') return 'daypart';
  if (/^\d{2}:\d{2}$/.test(marker)) return 'time';
  return marker.slice(0, marker.indexOf(' '));
}

/** "2nd show" is the late show and "show 1" the early one, so those families are compared too. */
function asSlot(marker: string): string | null {
  if (marker === 'early' || marker === 'show 1') return 'early';
  if (marker === 'late' || marker === 'show 2') return 'late';
  return null;
}

/**
 * True when the two marker lists name different sessions of the same family: early vs late,
 * matinee vs evening, night 1 vs night 2, 19:00 vs 21:30... A marker on one side only is not a
 * conflict (one source often omits "(Early Show)"); markers of unrelated families (early vs
 * 19:00) are not a conflict either: the start-time check decides those.
 */
export function markersConflict(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const byKind = (list: readonly string[]) => {
    const map = new Map<string, Set<string>>();
    for (const m of list) {
      const kind = markerKind(m);
      let set = map.get(kind);
      if (!set) map.set(kind, (set = new Set()));
      set.add(m);
    }
    return map;
  };
  const ka = byKind(a);
  const kb = byKind(b);
  for (const [kind, setA] of ka) {
    const setB = kb.get(kind);
    if (!setB) continue;
    if (setA.size !== setB.size || [...setA].some((m) => !setB.has(m))) return true;
  }
  const slotsA = new Set(a.map(asSlot).filter((s) => s !== null));
  const slotsB = new Set(b.map(asSlot).filter((s) => s !== null));
  if (slotsA.size > 0 && slotsB.size > 0 && ![...slotsA].some((s) => slotsB.has(s))) return true;
  return false;
}

const TITLE_NOISE = new Set([
  'the', 'a', 'an', 'and', 'live', 'presents', 'present', 'tickets', 'ticket', 'tix', 'tour', 'official',
  'with', 'w', 'in', 'concert', 'event', 'special', 'guest', 'guests', 'music',
]);

/**
 * Feature clauses ("feat. X", "ft X", "with special guests ...") run to the end of the title or
 * to the next bracket / separator. Sources disagree on whether they list the support act.
 */
const FEATURE_CLAUSE = /(?:\bfeat\b\.?|\bft\b\.?|\bfeaturing\b|(?:\bwith\b|\bw\/|\+)\s*special\s+guests?\b)[^()[\]|–—]*/g;
const PROMOTER_PREFIX = /^[^:|]*?\bpresents\b\s*[:\-–—]?\s*/;
const EVENING_WITH = /\ban evening with\b/g;
const YEAR = /\b(?:19|20)\d\d\b/g;

function stripMarkers(folded: string): string {
  let out = folded;
  for (const rule of MARKER_RULES) out = out.replace(rule.re, ' ');
  return out;
}

function tokensOf(s: string): string[] {
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter((t) => t.length > 0);
}

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
  return CITY_ALIASES[city] ?? city;
}

const VENUE_SYNONYMS: Record<string, string> = {
  theatre: 'theater', centre: 'center', ctr: 'center', st: 'street', ave: 'avenue',
  amphitheatre: 'amphitheater', mt: 'mount', intl: 'international',
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
    .map((t) => VENUE_SYNONYMS[t] ?? t)
    .filter((t) => !VENUE_NOISE.has(t));
  const drop = cityTokens(city);
  const withoutCity = tokens.filter((t) => !drop.has(t));
  if (withoutCity.length > 0) return withoutCity.join(' ');
  return tokens.length > 0 ? tokens.join(' ') : tokensOf(folded).join(' ');
}

/** Token-set overlap measures used by dedupe; inputs are normalized, space-separated strings. */
export interface TokenSet {
  text: string;
  tokens: Set<string>;
  /** The all-digit tokens, sorted and space-joined ('' when none). */
  numbers: string;
}

export function tokenSet(normalized: string): TokenSet {
  const tokens = new Set(normalized.split(' ').filter((t) => t.length > 0));
  const numbers = [...tokens].filter((t) => /^\d+$/.test(t)).sort().join(' ');
  return { text: normalized, tokens, numbers };
}

/** Cap on similarity when both sides carry numbers and they differ: "Stage 1" vs "Stage 2", "UFC 300" vs "UFC 301". */
const DIFFERENT_NUMBERS_CAP = 0.5;

/**
 * Similarity in 0..1 of two normalized strings: the best of
 * - Dice over token sets (word order and duplicated words don't matter), where a token with a
 *   small typo ("hamlet" ~ "halmet", "wolves" ~ "wolevs") counts as 0.9 of a shared token,
 * - containment (all words of the shorter inside the longer: "jazz night" ⊂ "jazz night trio"),
 *   discounted to 0.9, or 0.75 when the shorter side is a single word,
 * - Levenshtein ratio 1 - distance / longer length (catches typos that split or join words),
 * - acronyms ("msg" vs "madison square garden") at 0.85;
 * capped at 0.5 when both sides carry numbers and the numbers differ ("stage 1" vs "stage 2").
 * The Levenshtein pass is skipped when its upper bound (shorter / longer length) can't win.
 */
export function textSimilarity(a: TokenSet, b: TokenSet): number {
  if (a.text === b.text) return a.text.length > 0 ? 1 : 0;
  if (a.tokens.size === 0 || b.tokens.size === 0) return 0;
  const cap = a.numbers !== '' && b.numbers !== '' && a.numbers !== b.numbers ? DIFFERENT_NUMBERS_CAP : 1;
  return Math.min(cap, bestSimilarity(a, b));
}

function bestSimilarity(a: TokenSet, b: TokenSet): number {
  const [small, large] = a.tokens.size <= b.tokens.size ? [a.tokens, b.tokens] : [b.tokens, a.tokens];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  let soft = shared;
  if (shared < small.size) soft += 0.9 * fuzzyShared(small, large);
  let best = (2 * soft) / (small.size + large.size);
  if (soft > small.size - 0.2) best = Math.max(best, (small.size >= 2 ? 0.9 : 0.75) * (soft / small.size));
  const minLen = Math.min(a.text.length, b.text.length);
  const maxLen = Math.max(a.text.length, b.text.length);
  if (minLen / maxLen > best) best = Math.max(best, 1 - distance(a.text, b.text) / maxLen);
  if (best < 0.85 && (isAcronymOf(a, b) || isAcronymOf(b, a))) best = 0.85;
  return best;
}

/** Tokens of `small` missing from `large` that match a distinct missing token of `large` up to a typo. */
function fuzzyShared(small: Set<string>, large: Set<string>): number {
  let found = 0;
  const used = new Set<string>();
  for (const t of small) {
    if (large.has(t) || t.length < 4) continue;
    for (const u of large) {
      if (used.has(u) || small.has(u) || !isTypoOf(t, u)) continue;
      used.add(u);
      found++;
      break;
    }
  }
  return found;
}

/**
 * One edit, or two in words of five letters or more, or a swap of neighbouring letters
 * (which plain Levenshtein counts as two edits).
 */
function isTypoOf(t: string, u: string): boolean {
  const minLen = Math.min(t.length, u.length);
  if (minLen < 4 || Math.abs(t.length - u.length) > 2) return false;
  const d = distance(t, u);
  if (d <= 1 || (d === 2 && minLen >= 5)) return true;
  return d === 2 && t.length === u.length && [...t].sort().join('') === [...u].sort().join('');
}

function isAcronymOf(short: TokenSet, long: TokenSet): boolean {
  if (short.tokens.size !== 1 || long.tokens.size < 2 || short.text.length !== long.tokens.size) return false;
  let initials = '';
  for (const t of long.tokens) initials += t[0];
  return initials === short.text;
}
