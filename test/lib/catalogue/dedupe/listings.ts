/** Listings for dedupe and merge tests: one concert at the Fillmore, varied field by field. */
import { mulberry32 } from '../../../../bench/lib/synthetic.js';
import type { MergeRecord } from '../../../../src/lib/catalogue/merge.js';

export type TestEvent = MergeRecord & { id: string };

/** The Fillmore, San Francisco; 8pm local on 2026-05-01 is 03:00Z on 2026-05-02. */
export const FILLMORE = { lat: 37.78402, lng: -122.43301 };
export const EIGHT_PM = Date.parse('2026-05-02T03:00:00Z');
export const minutes = (n: number) => n * 60_000;

export function event(source: string, externalId: string, over: Partial<Omit<TestEvent, 'venue'>> & { venue?: Partial<TestEvent['venue']> } = {}): TestEvent {
  const { venue, ...rest } = over;
  return {
    id: `${source}:${externalId}`,
    source,
    externalId,
    title: 'Khruangbin',
    description: null,
    startsAt: new Date(EIGHT_PM),
    endsAt: null,
    timezone: 'America/Los_Angeles',
    allDay: false,
    status: 'scheduled',
    venue: {
      name: 'The Fillmore', address: '1805 Geary Blvd', city: 'San Francisco', region: 'CA', postalCode: '94115',
      country: 'US', latitude: FILLMORE.lat, longitude: FILLMORE.lng, ...venue,
    },
    priceMin: null,
    priceMax: null,
    currency: null,
    isFree: null,
    url: null,
    imageUrl: null,
    category: 'music',
    ...rest,
  };
}

export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rnd() * (i + 1));
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}
