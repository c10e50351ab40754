/**
 * How each source's own classification maps onto the catalogue's categories (the list itself
 * is the contract in src/contracts/categories.ts).
 *
 * Rules, in order:
 * 1. The source's classification: Ticketmaster genre (when it names a specific kind such as
 *    Comedy or Family) then segment; Eventbrite `category_id`; Yelp `category`; the schema.org
 *    Event subtype; iCalendar CATEGORIES (run through the keyword rules).
 * 2. A performing-arts classification whose title says comedy becomes 'comedy' (Eventbrite and
 *    Yelp have no comedy category of their own).
 * 3. A weak classification (none, 'other', or the catch-all 'community') yields to keyword rules
 *    on the title; when no keyword matches the weak classification stands, else 'other'.
 */
import type { Category } from '../../contracts/categories.js';
import { own } from '../own.js';

export { CATEGORIES, isCategory, type Category } from '../../contracts/categories.js';

export interface CategoryHints {
  /** Ticketmaster `classifications[].segment.name`. */
  segment?: string | null;
  /** Ticketmaster `classifications[].genre.name`. */
  genre?: string | null;
  /** Eventbrite `category_id`. */
  categoryId?: string | number | null;
  /** Yelp `category`. */
  yelpCategory?: string | null;
  /** schema.org `@type`, e.g. 'MusicEvent' (or a list of them). */
  schemaType?: string | readonly string[] | null;
  /** Free-text labels such as iCalendar CATEGORIES. */
  labels?: readonly string[] | null;
  /** The event title, for the keyword rules. */
  title?: string | null;
}

const TICKETMASTER_SEGMENTS: Record<string, Category> = {
  music: 'music',
  sports: 'sports',
  'arts & theatre': 'arts-theatre',
  film: 'film',
};

// Only genres that say more than their segment; the rest fall through to the segment.
const TICKETMASTER_GENRES: Record<string, Category> = {
  comedy: 'comedy',
  family: 'family',
  "children's theatre": 'family',
  "children's music": 'family',
  'food & drink': 'food-drink',
  'community/civic': 'community',
  'community/cultural': 'community',
  'fairs & festivals': 'community',
  'hobby/special interest expos': 'community',
  'lecture/seminar': 'business',
};

// https://www.eventbriteapi.com/v3/categories/
const EVENTBRITE_CATEGORIES: Record<string, Category> = {
  '101': 'business', // Business & Professional
  '102': 'business', // Science & Technology
  '103': 'music', // Music
  '104': 'film', // Film, Media & Entertainment
  '105': 'arts-theatre', // Performing & Visual Arts
  '107': 'community', // Health & Wellness
  '108': 'sports', // Sports & Fitness
  '109': 'community', // Travel & Outdoor
  '110': 'food-drink', // Food & Drink
  '111': 'community', // Charity & Causes
  '112': 'community', // Government & Politics
  '113': 'community', // Community & Culture
  '114': 'community', // Religion & Spirituality
  '115': 'family', // Family & Education
  '116': 'community', // Seasonal & Holiday
  '117': 'community', // Home & Lifestyle
  '119': 'community', // Hobbies & Special Interest
  '120': 'family', // School Activities
};

const YELP_CATEGORIES: Record<string, Category> = {
  music: 'music',
  'visual-arts': 'arts-theatre',
  'performing-arts': 'arts-theatre',
  film: 'film',
  'lectures-books': 'community',
  'food-and-drink': 'food-drink',
  'festivals-fairs': 'community',
  charities: 'community',
  'sports-active-life': 'sports',
  nightlife: 'nightlife',
  'kids-family': 'family',
};

const SCHEMA_TYPES: Record<string, Category> = {
  musicevent: 'music',
  sportsevent: 'sports',
  theaterevent: 'arts-theatre',
  danceevent: 'arts-theatre',
  visualartsevent: 'arts-theatre',
  exhibitionevent: 'arts-theatre',
  literaryevent: 'arts-theatre',
  comedyevent: 'comedy',
  screeningevent: 'film',
  foodevent: 'food-drink',
  childrensevent: 'family',
  businessevent: 'business',
  hackathon: 'business',
  educationevent: 'community',
  socialevent: 'community',
  festival: 'community',
  courseinstance: 'community',
};

// iCalendar CATEGORIES are free text; these labels name a kind of event outright.
const ICS_LABELS: Record<string, Category> = {
  music: 'music', concert: 'music', concerts: 'music',
  sport: 'sports', sports: 'sports',
  theatre: 'arts-theatre', theater: 'arts-theatre', arts: 'arts-theatre', art: 'arts-theatre', 'arts & culture': 'arts-theatre',
  comedy: 'comedy',
  film: 'film', films: 'film', cinema: 'film', movies: 'film',
  food: 'food-drink', 'food & drink': 'food-drink', drinks: 'food-drink',
  nightlife: 'nightlife', party: 'nightlife', clubbing: 'nightlife',
  family: 'family', kids: 'family', children: 'family',
  community: 'community', games: 'community', 'board games': 'community', gaming: 'community', meetup: 'community',
  social: 'community', volunteering: 'community', education: 'community', workshop: 'community',
  business: 'business', networking: 'business', conference: 'business', technology: 'business', tech: 'business',
};

/** Whether the source named the category outright (then the title's words do not override it). */
function isExplicit(source: string, hints: CategoryHints): boolean {
  return source === 'ics' && (hints.labels ?? []).some((label) => lookup(ICS_LABELS, label) !== null);
}

function words(...list: string[]): RegExp {
  return new RegExp(`\\b(?:${list.join('|')})\\b`, 'i');
}

/** First match wins, so the more specific kinds come first ("Kids Jazz Concert" is family). */
const KEYWORD_RULES: ReadonlyArray<readonly [Category, RegExp]> = [
  ['comedy', words('comedy', 'comedians?', 'stand[- ]?up', 'improv', 'sketch show')],
  ['family', words('kids?', "children(?:['’]s)?", 'family', 'families', 'toddlers?', 'story ?time', 'puppets?')],
  ['film', words('films?', 'screenings?', 'movies?', 'cinema', 'documentary')],
  ['music', words('music', 'jazz', 'concerts?', 'djs?', 'live music', 'bands?', 'orchestra', 'symphony', 'choir', 'quartet', 'recital', 'gig', 'blues', 'hip[- ]hop', 'open mic')],
  ['food-drink', words('drinks?', 'markets?', 'tastings?', 'wine', 'beers?', 'brewery', 'cocktails?', 'food', 'brunch', 'supper club', 'bbq', 'barbecue')],
  ['sports', words('sports?', 'vs', 'marathon', '5k', '10k', 'race', 'tournament', 'yoga', 'run club', 'basketball', 'football', 'soccer', 'baseball', 'hockey', 'tennis', 'boxing')],
  ['arts-theatre', words('arts?', 'theatre', 'theater', 'musical', 'ballet', 'opera', 'exhibition', 'exhibit', 'gallery', 'art show', 'poetry', 'shakespeare')],
  ['nightlife', words('nightlife', 'club night', 'nightclub', 'party', 'karaoke', 'pub crawl', 'bar crawl', 'rave', 'happy hour', 'trivia night')],
  ['business', words('business', 'conference', 'summit', 'networking', 'expo', 'trade ?show', 'webinar', 'startups?', 'hackathon', 'seminar')],
  ['community', words('community', 'meetups?', 'meet-ups?', 'volunteers?', 'volunteering', 'clean-?up', 'fundraiser', 'charity', 'book club', 'lecture', 'town hall', 'workshop', 'festival', 'fair', 'parade')],
];

/** The keyword rules alone: the first category whose words appear in `text`, else null. */
export function categoryFromKeywords(text: string | null | undefined): Category | null {
  if (!text) return null;
  for (const [category, pattern] of KEYWORD_RULES) if (pattern.test(text)) return category;
  return null;
}

function lookup(table: Record<string, Category>, key: unknown): Category | null {
  if (typeof key !== 'string' && typeof key !== 'number') return null;
  return own(table, String(key).trim().toLowerCase()) ?? null;
}

function fromSource(source: string, hints: CategoryHints): Category | null {
  switch (source) {
    case 'ticketmaster':
      return lookup(TICKETMASTER_GENRES, hints.genre) ?? lookup(TICKETMASTER_SEGMENTS, hints.segment);
    case 'eventbrite':
      return lookup(EVENTBRITE_CATEGORIES, hints.categoryId);
    case 'yelp':
      return lookup(YELP_CATEGORIES, hints.yelpCategory);
    case 'jsonld': {
      const types = typeof hints.schemaType === 'string' ? [hints.schemaType] : (hints.schemaType ?? []);
      // A node may list several types (["Event", "MusicEvent"]); any specific one decides.
      for (const type of types) {
        const category = lookup(SCHEMA_TYPES, type.replace(/^.*[/#:]/, ''));
        if (category) return category;
      }
      return null;
    }
    case 'ics':
      // A label that names a category is the organizer's own classification; other labels
      // ("Jazz", "Market") go through the keyword rules.
      for (const label of hints.labels ?? []) {
        const category = lookup(ICS_LABELS, label);
        if (category) return category;
      }
      for (const label of hints.labels ?? []) {
        const category = categoryFromKeywords(label);
        if (category) return category;
      }
      return null;
    default:
      return null;
  }
}

/** Maps a source's classification hints (and the title) onto the taxonomy. Never throws. */
export function categorize(source: string, hints: CategoryHints): Category {
  const explicit = fromSource(source, hints);
  // "CATEGORIES:Community,Games" is community even when the title says party.
  if (explicit === 'community' && isExplicit(source, hints)) return explicit;
  // The title's words only matter when the source is vague (or says arts for a comedy show);
  // scanning ten patterns for every record was most of categorizing's cost.
  if (explicit !== null && explicit !== 'other' && explicit !== 'community' && explicit !== 'arts-theatre') return explicit;
  const fromTitle = categoryFromKeywords(hints.title);
  if (explicit === 'arts-theatre') return fromTitle === 'comedy' ? 'comedy' : explicit;
  return fromTitle ?? explicit ?? 'other';
}
