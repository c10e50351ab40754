/**
 * Seeded synthetic event listings with known duplicate clusters, for measuring dedupe quality and
 * speed. Each real event is listed by one or more sources, each copy with the noise real feeds
 * show (casing, "The ", "feat." suffixes, promoter prefixes, typos, venue name variants, geocoder
 * drift, missing coordinates, start jitter, all-day listings). Hard negatives are planted on
 * purpose: early/late shows, Night 1/Night 2, matinee/evening, residencies on consecutive days,
 * similar titles at one venue three hours apart, and generic titles ("Trivia Night") at many
 * venues at once.
 */
import { DateTime } from 'luxon';
import type { MergeRecord } from '../../src/lib/catalogue/merge.js';

export type SyntheticEvent = MergeRecord & { id: string };

export interface SyntheticOptions {
  /** Number of listings to produce (exact). */
  count: number;
  /** Default: ticketmaster, eventbrite, jsonld, ics, yelp. */
  sources?: readonly string[];
  /** Share of real events listed by more than one source. Default 0.4. */
  duplicateRate?: number;
  seed?: number;
}

/** Small, fast, seedable PRNG (public-domain mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface City { name: string; abbrev: string; lat: number; lng: number; zone: string; region: string; country: string; currency: string }

const CITIES: City[] = [
  { name: 'San Francisco', abbrev: 'SF', lat: 37.7749, lng: -122.4194, zone: 'America/Los_Angeles', region: 'CA', country: 'US', currency: 'USD' },
  { name: 'New York', abbrev: 'NYC', lat: 40.7128, lng: -74.006, zone: 'America/New_York', region: 'NY', country: 'US', currency: 'USD' },
  { name: 'Chicago', abbrev: 'CHI', lat: 41.8781, lng: -87.6298, zone: 'America/Chicago', region: 'IL', country: 'US', currency: 'USD' },
  { name: 'Austin', abbrev: 'ATX', lat: 30.2672, lng: -97.7431, zone: 'America/Chicago', region: 'TX', country: 'US', currency: 'USD' },
  { name: 'Seattle', abbrev: 'SEA', lat: 47.6062, lng: -122.3321, zone: 'America/Los_Angeles', region: 'WA', country: 'US', currency: 'USD' },
  { name: 'Los Angeles', abbrev: 'LA', lat: 34.0522, lng: -118.2437, zone: 'America/Los_Angeles', region: 'CA', country: 'US', currency: 'USD' },
  { name: 'London', abbrev: 'LDN', lat: 51.5074, lng: -0.1278, zone: 'Europe/London', region: 'England', country: 'GB', currency: 'GBP' },
  { name: 'Berlin', abbrev: 'BER', lat: 52.52, lng: 13.405, zone: 'Europe/Berlin', region: 'BE', country: 'DE', currency: 'EUR' },
  { name: 'Mumbai', abbrev: 'BOM', lat: 19.076, lng: 72.8777, zone: 'Asia/Kolkata', region: 'MH', country: 'IN', currency: 'INR' },
];

const ADJ = ['Blue', 'Golden', 'Velvet', 'Neon', 'Silver', 'Crimson', 'Midnight', 'Electric', 'Quiet', 'Wild', 'Lucky', 'Hollow', 'Burning', 'Paper', 'Glass', 'Iron', 'Lonely', 'Cosmic', 'Royal', 'Rusty', 'Sunny', 'Broken', 'Northern', 'Little', 'Secret', 'Frozen', 'Dusty', 'Bright', 'Savage', 'Gentle'];
const NOUN = ['Harbor', 'Lantern', 'Room', 'Owl', 'River', 'Garden', 'Anchor', 'Echo', 'Comet', 'Forest', 'Mirror', 'Engine', 'Parade', 'Canyon', 'Orchard', 'Signal', 'Tiger', 'Meadow', 'Falcon', 'Ember', 'Tide', 'Horizon', 'Cathedral', 'Rocket', 'Valley', 'Shadow', 'Monarch', 'Pioneer', 'Raven', 'Compass'];
const PLURAL = ['Wolves', 'Saints', 'Ghosts', 'Rivals', 'Strangers', 'Pilots', 'Sparrows', 'Kings', 'Lovers', 'Machines', 'Daughters', 'Outlaws', 'Vandals', 'Dreamers', 'Shakers', 'Hounds', 'Tigers', 'Drifters', 'Preachers', 'Satellites'];
const FIRST = ['Maya', 'Leo', 'Nina', 'Omar', 'Ava', 'Jonah', 'Priya', 'Mateo', 'Zoe', 'Elijah', 'Ines', 'Kofi', 'Hana', 'Luca', 'Sofia', 'Theo', 'Amara', 'Felix', 'Rosa', 'Dmitri', 'Yara', 'Caleb', 'Noor', 'Emil', 'Lena', 'Tariq', 'Ivy', 'Bruno', 'Mei', 'Santiago'];
const LAST = ['Vega', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Brooks', 'Kowalski', 'Haddad', 'Reyes', 'Novak', 'Osei', 'Fischer', 'Castillo', 'Mercer', 'Adeyemi', 'Sato', 'Quinn', 'Baptiste', 'Whitaker', 'Rossi', 'Nakamura', 'Delgado', 'Hartmann', 'Ferreira', 'Walsh', 'Ibrahim', 'Larsen', 'Moretti', 'Sullivan', 'Khan'];
const VENUE_KIND = ['Hall', 'Theater', 'Ballroom', 'Lounge', 'Bar', 'Club', 'Music Hall', 'Social Club', 'Tavern', 'Brewery', 'Gallery', 'Auditorium', 'Café', 'Playhouse'];
const GENERIC = ['Trivia Night', 'Karaoke Thursdays', 'Open Mic', 'Jazz Jam', 'Salsa Night', 'Drag Brunch', 'Bingo Night', 'Vinyl DJ Night', 'Poetry Slam', 'Board Game Night'];
const PLAYS = ['Hamlet', 'The Tempest', 'Twelfth Night', 'A Doll’s House', 'The Glass Menagerie', 'Our Town', 'Death of a Salesman', 'Much Ado About Nothing', 'The Seagull', 'Macbeth'];
const PROMOTERS = ['Another Planet', 'Goldenvoice', 'Live Nation', 'Noise Pop', 'KEXP', 'Bowery Presents'];
const DEFAULT_SOURCES = ['ticketmaster', 'eventbrite', 'jsonld', 'ics', 'yelp'];

interface Venue { city: City; name: string; lat: number; lng: number; address: string; postalCode: string }

/** One real-world event before any source lists it. */
interface Base {
  title: string;
  /** Marker phrase variants a source may use instead of the canonical one, e.g. ["(Early Show)", "- Early Show"]. */
  marker: string[] | null;
  kind: 'concert' | 'comedy' | 'market' | 'generic' | 'theater';
  venue: Venue;
  local: DateTime;
  minutes: number;
  allDay: boolean;
  price: number | null;
  support: string;
}

export function generateSyntheticEvents(opts: SyntheticOptions): { events: SyntheticEvent[]; truth: string[][] } {
  const rnd = mulberry32(opts.seed ?? 1);
  const sources = opts.sources ?? DEFAULT_SOURCES;
  const dupRate = opts.duplicateRate ?? 0.4;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  // Scale the world with the count so a venue hosts about 0.6 real events a day.
  const venuesPerCity = Math.max(30, Math.round(40 + opts.count / 1500));
  const venues: Venue[] = [];
  for (const city of CITIES) {
    const names = new Set<string>();
    while (names.size < venuesPerCity) names.add(venueName(pick, chance));
    for (const name of names) {
      // Denser downtown: radius grows with u^1.5, up to 6 km.
      const r = 6000 * rnd() ** 1.5;
      const angle = rnd() * 2 * Math.PI;
      const lat = city.lat + (r * Math.sin(angle)) / 111_320;
      const lng = city.lng + (r * Math.cos(angle)) / (111_320 * Math.cos((city.lat * Math.PI) / 180));
      venues.push({ city, name, lat, lng, address: `${int(1, 2999)} ${pick(LAST)} ${pick(['St', 'Ave', 'Blvd', 'Rd'])}`, postalCode: String(int(10000, 99999)) });
    }
  }
  const expectedCopies = 1 + dupRate * 1.5;
  const days = Math.max(14, Math.ceil(opts.count / expectedCopies / (venues.length * 0.6)));
  const firstDay = DateTime.fromISO('2026-03-02', { zone: 'utc' });

  const artist = () => {
    const r = rnd();
    if (r < 0.25) return `The ${pick(ADJ)} ${pick(PLURAL)}`;
    if (r < 0.45) return `${pick(FIRST)} ${pick(LAST)}`;
    if (r < 0.6) return `${pick(ADJ)} ${pick(NOUN)}`;
    if (r < 0.72) return `${pick(LAST)} & the ${pick(PLURAL)}`;
    if (r < 0.82) return `DJ ${pick(FIRST)} ${pick(ADJ)}`;
    if (r < 0.92) return `${pick(FIRST)} ${pick(LAST)} ${pick(['Trio', 'Quartet', 'Band', 'Orchestra'])}`;
    return `${pick(NOUN)} ${pick(NOUN)}`;
  };
  // Hours may run past 23 (a DJ set at "24:00" is the next day's 00:00). Kept per zone and local
  // time, as `derived` below keeps the listings' shifts.
  const instants = new Map<string, DateTime>();
  const at = (venue: Venue, day: number, hour: number, minute: number) => {
    const key = `${venue.city.zone}|${day}|${hour}|${minute}`;
    let local = instants.get(key);
    if (!local) {
      local = DateTime.fromObject({ year: firstDay.year, month: firstDay.month, day: firstDay.day }, { zone: venue.city.zone })
        .plus({ days: day }).plus({ hours: hour, minutes: minute });
      instants.set(key, local);
    }
    return local;
  };

  const randomBase = (venue: Venue, day: number): Base => {
    const r = rnd();
    const support = artist();
    if (r < 0.45) {
      const name = artist();
      const title = chance(0.2) ? `${name} with ${support}` : chance(0.1) ? `${name}: ${pick(ADJ)} ${pick(NOUN)} Tour` : name;
      const late = chance(0.15);
      return { title, marker: null, kind: 'concert', venue, local: at(venue, day, late ? 22 + int(0, 2) : int(18, 21), late ? 0 : pick([0, 30])), minutes: 180, allDay: false, price: int(15, 90), support };
    }
    if (r < 0.6) {
      const title = chance(0.6) ? `Comedy Night with ${pick(FIRST)} ${pick(LAST)}` : `${pick(FIRST)} ${pick(LAST)}: Stand-Up`;
      return { title, marker: null, kind: 'comedy', venue, local: at(venue, day, pick([19, 20, 21]), pick([0, 30])), minutes: 90, allDay: false, price: int(10, 40), support };
    }
    if (r < 0.7) {
      const title = pick(['Farmers Market', `${pick(NOUN)} Farmers Market`, 'Night Market', 'Flea Market', `${pick(ADJ)} Craft Fair`]);
      return { title, marker: null, kind: 'market', venue, local: at(venue, day, int(8, 10), 0), minutes: 300, allDay: chance(0.3), price: null, support };
    }
    if (r < 0.88) {
      return { title: pick(GENERIC), marker: null, kind: 'generic', venue, local: at(venue, day, int(18, 21), pick([0, 30])), minutes: 120, allDay: false, price: chance(0.5) ? null : int(5, 15), support };
    }
    return { title: pick(PLAYS), marker: null, kind: 'theater', venue, local: at(venue, day, pick([19, 20]), pick([0, 30])), minutes: 150, allDay: false, price: int(25, 120), support };
  };

  /** Hard negatives: several distinct real events that look alike. */
  const lookalikes = (venue: Venue, day: number): Base[] => {
    const name = artist();
    const base = (title: string, marker: string[] | null, d: number, h: number, m: number, kind: Base['kind'] = 'concert'): Base =>
      ({ title, marker, kind, venue, local: at(venue, d, h, m), minutes: 120, allDay: false, price: int(20, 80), support: artist() });
    const r = rnd();
    if (r < 0.25) {
      const clock = chance(0.3);
      return [
        base(name, clock ? ['7pm Show', '7PM show', '(7pm)'] : ['(Early Show)', '- Early Show', 'Early Show'], day, 19, 0),
        base(name, clock ? ['9:30pm Show', '9:30 PM show', '(9:30pm)'] : ['(Late Show)', '- Late Show', 'Late Show'], day, 21, 30),
      ];
    }
    if (r < 0.45) {
      return [base(name, ['- Night 1', '(Night One)', 'Night 1'], day, 20, 0), base(name, ['- Night 2', '(Night Two)', 'Night 2'], day + 1, 20, 0)];
    }
    if (r < 0.65) return [base(name, null, day, 20, 0), base(name, null, day + pick([1, 7]), 20, 0)];
    if (r < 0.82) {
      const jam = pick(['Jazz Jam', 'Open Mic', 'Comedy Showcase', 'Salsa Night']);
      return [base(jam, null, day, 18, 0, 'generic'), base(`Late ${jam}`, null, day, 21, 0, 'generic')];
    }
    const play = pick(PLAYS);
    return [base(play, ['(Matinee)', '- Matinee', 'Matinee'], day, 14, 0, 'theater'), base(play, ['(Evening)', '- Evening Show', 'Evening Performance'], day, 19, 30, 'theater')];
  };

  const events: SyntheticEvent[] = [];
  const truth: string[][] = [];
  const counters = new Map<string, number>();
  // A venue hosts one thing at a time: planting two unrelated "Jazz Jam"s at one venue and hour
  // would make a truth that no algorithm (or person) could recover.
  const busy = new Set<string>();
  const slotsOf = (b: Base) => {
    const venueKey = `${b.venue.city.name}|${b.venue.name}`;
    const dayKey = `${venueKey}|${b.local.toISODate()}`;
    const hour = Math.floor(b.local.toMillis() / 3_600_000);
    return { dayKey, hours: [-2, -1, 0, 1, 2].map((d) => `${venueKey}|h${hour + d}`) };
  };
  const isFree = (b: Base) => {
    const { dayKey, hours } = slotsOf(b);
    if (busy.has(`${dayKey}|all-day`)) return false;
    return b.allDay ? !busy.has(`${dayKey}|any`) : !hours.some((h) => busy.has(h));
  };
  const occupy = (b: Base) => {
    const { dayKey, hours } = slotsOf(b);
    busy.add(`${dayKey}|any`);
    if (b.allDay) busy.add(`${dayKey}|all-day`);
    else busy.add(hours[2]).add(hours[1]).add(hours[3]);
  };
  while (events.length < opts.count) {
    let bases: Base[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const venue = pick(venues);
      const day = int(0, days - 1);
      bases = chance(0.15) ? lookalikes(venue, day) : [randomBase(venue, day)];
      if (bases.every(isFree)) break;
    }
    bases.forEach(occupy);
    for (const b of bases) {
      const left = opts.count - events.length;
      if (left <= 0) break;
      const n = Math.min(left, sources.length, chance(dupRate) ? (chance(0.6) ? 2 : chance(0.75) ? 3 : 4) : 1);
      const chosen = shuffle([...sources], rnd).slice(0, n);
      const ids = chosen.map((source) => {
        const k = (counters.get(source) ?? 0) + 1;
        counters.set(source, k);
        const ev = listing(b, source, `${source.slice(0, 2)}-${String(k).padStart(7, '0')}`, rnd, pick, chance, int);
        events.push(ev);
        return ev.id;
      });
      if (ids.length > 1) truth.push(ids);
    }
  }
  derived.clear();
  return { events, truth };
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const k = Math.floor(rnd() * (i + 1));
    [xs[i], xs[k]] = [xs[k], xs[i]];
  }
  return xs;
}

function venueName(pick: <T>(xs: readonly T[]) => T, chance: (p: number) => boolean): string {
  if (chance(0.3)) return `The ${pick(ADJ)} ${pick(NOUN)}`;
  if (chance(0.3)) return `${pick(LAST)} ${pick(VENUE_KIND)}`;
  if (chance(0.3)) return `${pick(NOUN)} ${pick(VENUE_KIND)}`;
  if (chance(0.5)) return `${pick(NOUN)} & ${pick(NOUN)}`;
  return `${pick(LAST)}'s`;
}

/**
 * Luxon's zone arithmetic (an Intl offset lookup per new DateTime) was most of the generator's
 * time; a DateTime is immutable, so each result is kept by its instant, zone and operation, for
 * one generateSyntheticEvents call.
 */
const derived = new Map<string, DateTime>();
function plusMinutes(t: DateTime, minutes: number): DateTime {
  const key = `${t.toMillis()}|${t.zoneName}|+${minutes}`;
  let out = derived.get(key);
  if (!out) derived.set(key, (out = t.plus({ minutes })));
  return out;
}
function startOfDay(t: DateTime): DateTime {
  const key = `${t.toMillis()}|${t.zoneName}|day`;
  let out = derived.get(key);
  if (!out) derived.set(key, (out = t.startOf('day')));
  return out;
}

/** One source's listing of a real event, with that source's typical noise. */
function listing(
  b: Base, source: string, externalId: string, rnd: () => number,
  pick: <T>(xs: readonly T[]) => T, chance: (p: number) => boolean, int: (lo: number, hi: number) => number,
): SyntheticEvent {
  // Typos hit the name itself; sources copy markers and boilerplate ("Early Show", "Live") verbatim.
  let title = chance(0.1) ? typo(b.title, rnd) : b.title;
  // Sources disagree on naming the support act, and on the "Comedy Night with" framing.
  if (b.kind === 'concert' && chance(0.25)) title += ` ${pick(['feat.', 'ft.', 'featuring', 'with', 'w/', '+'])} ${b.support}`;
  if (b.kind === 'comedy' && title.startsWith('Comedy Night with ') && chance(0.2)) title = title.slice('Comedy Night with '.length);
  if (chance(0.04)) title = source === 'yelp' ? `Live Music: ${title}` : `${title} at ${b.venue.name}`;
  if (b.marker && !chance(0.1)) title += ` ${pick(b.marker)}`;
  if (chance(0.08)) title = `${pick(PROMOTERS)} presents: ${title}`;
  if (chance(0.08)) title += pick([' Live', ' Tickets', ' - Tour 2026', ' (Live)']);
  if (chance(0.1)) title = title.startsWith('The ') ? title.slice(4) : `The ${title}`;
  if (chance(0.15)) title = title.toUpperCase();
  else if (chance(0.1)) title = title.toLowerCase();

  const city = b.venue.city;
  let venueName = b.venue.name;
  if (chance(0.35)) {
    const r = rnd();
    if (r < 0.3) venueName = venueName.startsWith('The ') ? venueName.slice(4) : `The ${venueName}`;
    else if (r < 0.5) venueName = `${venueName.replace(/^The /, '')} ${city.abbrev}`;
    else if (r < 0.7) venueName = `${venueName}, ${city.name}`;
    else if (r < 0.8) venueName = venueName.replace('Theater', 'Theatre').replace(' & ', ' and ');
    else venueName = venueName.toUpperCase();
  }
  // Geocoders disagree by tens of metres; ics feeds and some jsonld pages carry no coordinates.
  const drift = source === 'ticketmaster' ? 30 : source === 'yelp' ? 60 : 120;
  const noCoords = (source === 'ics' && chance(0.6)) || (source === 'jsonld' && chance(0.3));
  const dLat = ((rnd() - 0.5) * 2 * drift) / 111_320;
  const dLng = ((rnd() - 0.5) * 2 * drift) / (111_320 * Math.cos((city.lat * Math.PI) / 180));

  let local = b.local;
  const j = rnd();
  if (j > 0.75) local = plusMinutes(local, j > 0.875 ? 15 : -15);
  const allDay = b.allDay || ((source === 'ics' || source === 'jsonld') && chance(0.03));
  const startsAt = allDay ? startOfDay(b.local) : local;
  const price = b.price === null ? null : b.price + (chance(0.3) ? int(-5, 10) : 0);
  const status = chance(0.01) ? pick(['cancelled', 'postponed'] as const) : 'scheduled';

  return {
    id: `${source}:${externalId}`,
    source,
    externalId,
    title,
    description: chance(0.2) ? null : `${b.title} at ${b.venue.name}. ${'More details to follow. '.repeat(int(0, 6))}`.trim(),
    startsAt: startsAt.toJSDate(),
    endsAt: allDay ? null : chance(0.5) ? plusMinutes(startsAt, b.minutes).toJSDate() : null,
    timezone: city.zone,
    allDay,
    status,
    venue: {
      name: venueName,
      address: chance(0.7) ? b.venue.address : null,
      city: city.name,
      region: city.region,
      postalCode: chance(0.6) ? b.venue.postalCode : null,
      country: city.country,
      latitude: noCoords ? null : b.venue.lat + dLat,
      longitude: noCoords ? null : b.venue.lng + dLng,
    },
    priceMin: price,
    priceMax: price === null ? null : price + int(0, 40),
    currency: price === null ? null : city.currency,
    isFree: b.price === null ? (chance(0.5) ? true : null) : false,
    url: `https://${source}.example/e/${externalId}`,
    imageUrl: chance(0.5) ? `https://img.${source}.example/${externalId}.jpg` : null,
    category: chance(0.2) ? 'other' : { concert: 'music', comedy: 'comedy', market: 'community', generic: 'nightlife', theater: 'arts' }[b.kind],
    lastSeenAt: new Date(Date.UTC(2026, 2, 1) + int(0, 20) * 86_400_000),
  };
}

/** One edit in a word of five or more letters: swap neighbours, drop or double a letter. */
function typo(title: string, rnd: () => number): string {
  const words = title.split(' ');
  const candidates = words.map((w, i) => (w.length >= 5 ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return title;
  const wi = candidates[Math.floor(rnd() * candidates.length)];
  const w = words[wi];
  const p = 1 + Math.floor(rnd() * (w.length - 2));
  const r = rnd();
  words[wi] = r < 0.4 ? w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2) : r < 0.7 ? w.slice(0, p) + w.slice(p + 1) : w.slice(0, p) + w[p] + w.slice(p);
  return words.join(' ');
}

/** Pairwise precision, recall and F1 of predicted clusters against true clusters. */
export function evaluate(clusters: readonly string[][], truth: readonly string[][]) {
  const pairsOf = (groups: readonly string[][]) => {
    const out = new Set<string>();
    for (const g of groups) {
      const sorted = [...g].sort();
      for (let i = 0; i < sorted.length; i++) for (let k = i + 1; k < sorted.length; k++) out.add(`${sorted[i]}\u0000${sorted[k]}`);
    }
    return out;
  };
  const predicted = pairsOf(clusters);
  const actual = pairsOf(truth);
  let correct = 0;
  for (const p of predicted) if (actual.has(p)) correct++;
  const precision = predicted.size === 0 ? 1 : correct / predicted.size;
  const recall = actual.size === 0 ? 1 : correct / actual.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, predictedPairs: predicted.size, truePairs: actual.size, correctPairs: correct };
}
