/**
 * How alike two normalized strings are (titles, venue names): token-set overlap that forgives
 * word order, small typos, extra words and acronyms, but not differing numbers.
 */
import { distance } from 'fastest-levenshtein';

/** A normalized, space-separated string with what textSimilarity reads of it, computed once per string. */
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
