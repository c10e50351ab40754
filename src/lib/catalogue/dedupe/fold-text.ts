/**
 * The form every dedupe comparison starts from: folded text (lowercase, accent-free, entities
 * decoded) and its word tokens. Titles, venues, cities and session markers all build on it.
 */
import { decodeHTML } from 'entities';

/** Lowercase, accent-free, HTML entities decoded. Punctuation is kept for the marker regexes. */
export function foldText(s: string): string {
  const decoded = s.includes('&') ? decodeHTML(s) : s;
  return decoded.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The letter-and-digit words of a string, in order. */
export function tokensOf(s: string): string[] {
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter((t) => t.length > 0);
}
