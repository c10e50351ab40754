/**
 * bench:query --sweep: every filter and order `/api/events` takes, alone and combined, for a
 * catalogue the bench seeded. The bench's shapes are what apps ask most; these are what a
 * catalogue at scale must not be slow at either (the slow ones found this way are in
 * docs/search.md, "What each index changed").
 */
import type { EventQueryInput } from '../../src/lib/catalogue/query.js';

const DAY = 86_400_000;

/** The sweep's queries by name: around `point` (in `city`'s area), from `today`. `word` is common, `rare` is in no title. */
export function sweepQueries(today: Date, point: { lat: number; lng: number }, city: string, word: string, rare: string): Record<string, EventQueryInput> {
  const at = (days: number) => new Date(today.getTime() + days * DAY).toISOString();
  const from = at(0);
  const week = { from, to: at(7) };
  const month = { from, to: at(30) };
  const year = { from, to: at(365) };
  const near = (radius_km: number) => ({ ...point, radius_km });
  return {
    'from now': { from },
    'a past quarter': { from: at(-90), to: at(-60) },
    'to only': { to: at(7) },
    'a year': year,
    'three categories, 30 days': { category: ['music', 'film', 'comedy'], ...month },
    'free, this week': { free: true, ...week },
    'free from now': { free: true, from },
    'cancelled, this week': { status: ['cancelled'], ...week },
    'updated in the last day': { updated_since: at(-1) },
    'exclude parents from now': { exclude: 'parents', from },
    'exclude children from now': { exclude: 'children', from },
    'a source from now': { source: ['ticketmaster'], from },
    'q': { q: word },
    'q, rare': { q: rare },
    'q, two letters, from now': { q: word.slice(0, 2), from },
    'q, three words': { q: `late acoustic ${word}` },
    'q, this week': { q: word, ...week },
    'q, rare, this week': { q: rare, ...week },
    'q from now': { q: word, from },
    'q, to only': { q: word, to: at(7) },
    'q, a year': { q: word, ...year },
    'q + category, this week': { q: word, category: ['music'], ...week },
    'q + cancelled from now': { q: word, status: ['cancelled'], from },
    'q + free, 30 days': { q: word, free: false, ...month },
    'q + a source': { q: word, source: ['ticketmaster'] },
    'q by relevance': { q: word, sort: 'relevance' },
    'q by relevance, this week': { q: word, sort: 'relevance', ...week },
    'q by relevance from now': { q: word, sort: 'relevance', from },
    'q, rare, by relevance': { q: rare, sort: 'relevance' },
    'city': { city },
    'city from now': { city, from },
    'city, a year': { city, ...year },
    'city + category': { city, category: ['music'] },
    'city + free from now': { city, free: true, from },
    'city + q': { city, q: word },
    'city + q from now': { city, q: word, from },
    'city + q, rare': { city, q: rare },
    'city + q, this week': { city, q: word, ...week },
    'near 5 km': near(5),
    'near 5 km from now': { ...near(5), from },
    'near 25 km from now': { ...near(25), from },
    'near 100 km, this week': { ...near(100), ...week },
    'near 300 km, this week': { ...near(300), ...week },
    'near 5 km + free from now': { ...near(5), free: true, from },
    'near 25 km + cancelled from now': { ...near(25), status: ['cancelled'], from },
    'near 25 km + category from now': { ...near(25), category: ['music'], from },
    'near 25 km + q from now': { ...near(25), q: word, from },
    'near 300 km + q, this week': { ...near(300), q: word, ...week },
    'near 25 km by distance': { ...near(25), sort: 'distance' },
    'near 25 km by distance from now': { ...near(25), sort: 'distance', from },
    'near 25 km by distance, this week': { ...near(25), sort: 'distance', ...week },
    'near 25 km + q by relevance from now': { ...near(25), q: word, sort: 'relevance', from },
  };
}
