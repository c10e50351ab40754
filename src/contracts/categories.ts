/**
 * The catalogue's category taxonomy: what `events.category` may hold (a CHECK in sql/ mirrors
 * it) and what the event query filters on. How each source's classification maps onto it is
 * src/lib/normalize/categories.ts.
 */
export const CATEGORIES = [
  'music',
  'sports',
  'arts-theatre',
  'comedy',
  'film',
  'food-drink',
  'nightlife',
  'family',
  'community',
  'business',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}
