import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATEGORIES, categorize, categoryFromKeywords, isCategory } from '../../../src/lib/normalize/categories.js';
import { cleanDescription, cleanText, splitLocation, toCoordinates, toCurrency, toPrice, toUrl } from '../../../src/lib/normalize/text.js';

describe('categorize', () => {
  test('the taxonomy matches the events.category CHECK', () => {
    assert.deepEqual([...CATEGORIES].sort(), ['arts-theatre', 'business', 'comedy', 'community', 'family', 'film', 'food-drink', 'music', 'nightlife', 'other', 'sports'].sort());
    assert.equal(isCategory('music'), true);
    assert.equal(isCategory('Music'), false);
  });

  test('ticketmaster: specific genre, else segment, else keywords', () => {
    assert.equal(categorize('ticketmaster', { segment: 'Music', genre: 'Rock' }), 'music');
    assert.equal(categorize('ticketmaster', { segment: 'Sports', genre: 'Basketball' }), 'sports');
    assert.equal(categorize('ticketmaster', { segment: 'Arts & Theatre', genre: 'Theatre' }), 'arts-theatre');
    assert.equal(categorize('ticketmaster', { segment: 'Arts & Theatre', genre: 'Comedy' }), 'comedy');
    assert.equal(categorize('ticketmaster', { segment: 'Film', genre: 'Drama' }), 'film');
    assert.equal(categorize('ticketmaster', { segment: 'Miscellaneous', genre: 'Family' }), 'family');
    assert.equal(categorize('ticketmaster', { segment: 'Miscellaneous', genre: 'Undefined', title: 'Drag Brunch' }), 'food-drink');
    assert.equal(categorize('ticketmaster', { segment: 'Miscellaneous', genre: 'Undefined', title: 'Monster Jam' }), 'other');
  });

  test('eventbrite category ids', () => {
    const expected = { 103: 'music', 108: 'sports', 105: 'arts-theatre', 104: 'film', 110: 'food-drink', 115: 'family', 113: 'community', 101: 'business' } as const;
    for (const [id, category] of Object.entries(expected)) assert.equal(categorize('eventbrite', { categoryId: id, title: 'Untitled' }), category, id);
    assert.equal(categorize('eventbrite', { categoryId: 103 }), 'music');
    assert.equal(categorize('eventbrite', { categoryId: '105', title: 'Comedy Night' }), 'comedy');
    assert.equal(categorize('eventbrite', { categoryId: '113', title: 'Queer Film Night' }), 'film'); // community is weak
    assert.equal(categorize('eventbrite', { categoryId: '199', title: 'Something' }), 'other');
  });

  test('yelp categories', () => {
    const expected = {
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
      fashion: 'other',
      other: 'other',
    } as const;
    for (const [yelpCategory, category] of Object.entries(expected)) assert.equal(categorize('yelp', { yelpCategory, title: 'Untitled' }), category, yelpCategory);
  });

  test('schema.org subtypes', () => {
    const expected = {
      MusicEvent: 'music',
      TheaterEvent: 'arts-theatre',
      ComedyEvent: 'comedy',
      SportsEvent: 'sports',
      Festival: 'community',
      ScreeningEvent: 'film',
      FoodEvent: 'food-drink',
      ChildrensEvent: 'family',
      BusinessEvent: 'business',
      SocialEvent: 'community',
      Event: 'other',
    } as const;
    for (const [schemaType, category] of Object.entries(expected)) assert.equal(categorize('jsonld', { schemaType, title: 'Untitled' }), category, schemaType);
    assert.equal(categorize('jsonld', { schemaType: ['Event', 'https://schema.org/ScreeningEvent'] }), 'film');
  });

  test('ics CATEGORIES labels, then the title', () => {
    assert.equal(categorize('ics', { labels: ['Live Music'], title: 'Robert Glasper' }), 'music');
    assert.equal(categorize('ics', { labels: ['SPORTS'] }), 'sports');
    assert.equal(categorize('ics', { labels: [], title: 'Open-air cinema: Jaws' }), 'film');
  });

  test('keyword rules on the title', () => {
    const expected: Array<[string, string | null]> = [
      ['Late Night Comedy', 'comedy'],
      ['Stand-up Saturdays', 'comedy'],
      ['Jazz at the Lake', 'music'],
      ['Spring Concert Series', 'music'],
      ['DJ Shadow', 'music'],
      ['Outdoor Film: Jaws', 'film'],
      ['Preview Screening', 'film'],
      ['Farmers Market', 'food-drink'],
      ['Whisky Tasting', 'food-drink'],
      ['Kids Yoga', 'family'],
      ["Children's Story Time", 'family'],
      ['Family Day at the Zoo', 'family'],
      ['JS Meetup', 'community'],
      ['DevOps Conference', 'business'],
      ['Karaoke Thursdays', 'nightlife'],
      ['Lakers vs Celtics', 'sports'],
      ['Swan Lake (Ballet)', 'arts-theatre'],
      ['Adjustment', null], // "dj" inside a word does not count
      ['Annual General Assembly', null],
    ];
    for (const [title, category] of expected) assert.equal(categoryFromKeywords(title), category, title);
    assert.equal(categorize('yelp', { title: 'Annual General Assembly' }), 'other');
    assert.equal(categorize('nope', { title: 'Jazz' }), 'music');
  });
});

describe('iCalendar CATEGORIES (issue 14)', () => {
  test('a label naming a category is the organizer\'s choice: Community,Games is not nightlife', () => {
    assert.equal(categorize('ics', { labels: ['Community', 'Games'], title: 'Board Game Party' }), 'community');
    assert.equal(categorize('ics', { labels: ['games'], title: 'Quiz & Karaoke Night' }), 'community');
    assert.equal(categorize('ics', { labels: ['Nightlife'], title: 'Board Game Party' }), 'nightlife');
    // Labels that name no category still go through the keyword rules, then the title.
    assert.equal(categorize('ics', { labels: ['Jazz'], title: 'Evening' }), 'music');
    assert.equal(categorize('ics', { labels: ['Misc'], title: 'Comedy Night' }), 'comedy');
  });
});

describe('iCalendar LOCATION (issue 14)', () => {
  test('a bracketed address stays whole, and the part before it is the name', () => {
    assert.deepEqual(splitLocation('Café Central (Herrengasse 14\\, 1010 Wien)'), { name: 'Café Central', address: 'Herrengasse 14, 1010 Wien' });
    assert.deepEqual(splitLocation('Café Central (Herrengasse 14, 1010 Wien)'), { name: 'Café Central', address: 'Herrengasse 14, 1010 Wien' });
    // Brackets inside the name do not end it; the first comma outside them does.
    assert.deepEqual(splitLocation('Hall (Room 2, upstairs), Main St 1, Springfield'), { name: 'Hall (Room 2, upstairs)', address: 'Main St 1, Springfield' });
    assert.deepEqual(splitLocation('The Fillmore, 1805 Geary Blvd'), { name: 'The Fillmore', address: '1805 Geary Blvd' });
    assert.deepEqual(splitLocation('Town Square'), { name: 'Town Square', address: null });
  });
});

describe('text cleaning', () => {
  test('entities, tags and whitespace', () => {
    assert.equal(cleanText('Rock &amp; Roll   Caf&eacute; &#39;26'), "Rock & Roll Café '26");
    assert.equal(cleanText('I <3 jazz'), 'I <3 jazz');
    assert.equal(cleanText('<b>Bold</b>\n\tmove'), 'Bold move');
    assert.equal(cleanText('   '), null);
    assert.equal(cleanText(42), null);
    assert.equal(cleanDescription('<p>One</p><p>Two &lt;three&gt;</p><style>p{}</style><!-- x -->'), 'One Two <three>');
  });

  test('coordinates', () => {
    assert.deepEqual(toCoordinates('52.52', '13.405'), { latitude: 52.52, longitude: 13.405 });
    assert.deepEqual(toCoordinates(' -33.8688 ', 151.2093), { latitude: -33.8688, longitude: 151.2093 });
    assert.deepEqual(toCoordinates('91', '0'), { latitude: null, longitude: null });
    assert.deepEqual(toCoordinates('10', '-181'), { latitude: null, longitude: null });
    assert.deepEqual(toCoordinates('abc', '1'), { latitude: null, longitude: null });
    assert.deepEqual(toCoordinates(0, 0), { latitude: null, longitude: null });
    assert.deepEqual(toCoordinates(null, undefined), { latitude: null, longitude: null });
  });

  test('prices, currencies, urls, locations', () => {
    assert.equal(toPrice('0'), 0);
    assert.equal(toPrice('25.00'), 25);
    assert.equal(toPrice('$1,250.50'), 1250.5);
    assert.equal(toPrice('25 EUR'), 25);
    assert.equal(toPrice('Free'), 0);
    assert.equal(toPrice('-5'), null);
    assert.equal(toPrice('call us'), null);
    assert.equal(toCurrency('eur'), 'EUR');
    assert.equal(toCurrency('€'), null);
    assert.equal(toUrl('/a b', 'https://example.com/x/'), 'https://example.com/a%20b');
    assert.equal(toUrl('javascript:alert(1)'), null);
    assert.equal(toUrl('relative/only'), null);
    assert.deepEqual(splitLocation('Blue Note, 131 W 3rd St, New York'), { name: 'Blue Note', address: '131 W 3rd St, New York' });
    assert.deepEqual(splitLocation('Town Hall'), { name: 'Town Hall', address: null });
  });
});

test('a classification named like something every object has is just an unknown one', () => {
  // A table lookup must not answer "constructor" with Object's constructor.
  for (const name of ['constructor', 'Constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.equal(categorize('ticketmaster', { genre: name, segment: name }), 'other', name);
    assert.equal(categorize('eventbrite', { categoryId: name }), 'other', name);
    assert.equal(categorize('yelp', { yelpCategory: name }), 'other', name);
    assert.equal(categorize('jsonld', { schemaType: `https://schema.org/${name}` }), 'other', name);
    assert.equal(categorize('ics', { labels: [name] }), 'other', name);
  }
  assert.equal(categorize('ticketmaster', { genre: 'constructor', segment: 'Music' }), 'music');
});

