/**
 * Session markers: the words (early/late show, matinee, Night 2, 9:30pm show, Part 1...) that
 * make two listings with the same title at the same venue DISTINCT shows. Dedupe reads them
 * from each title once, compares them per pair (markersConflict), and cuts them from the title
 * before titles are compared (stripMarkers), so "Artist (Early Show)" and "Artist" compare as
 * the same title while their markers are compared on their own.
 */
import { foldText } from './fold-text.js';
import { own } from '../../own.js';

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6,
};

function toNumber(word: string): number | null {
  const ordinal = /^(\d+)(st|nd|rd|th)?$/.exec(word);
  if (ordinal) return Number(ordinal[1]);
  return own(NUMBER_WORDS, word) ?? null;
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

/** Folded text without its session-marker phrases. */
export function stripMarkers(folded: string): string {
  let out = folded;
  for (const rule of MARKER_RULES) out = out.replace(rule.re, ' ');
  return out;
}
