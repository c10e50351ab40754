import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SceneScoutError } from '../../../src/lib/errors.js';
import { NormalizationError, normalizeRawEvent, type NormalizeContext, type NormalizedEvent } from '../../../src/lib/normalize/index.js';

type Json = Record<string, any>;

function fixture(source: string, name: string): Json {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/normalize', source, `${name}.json`), 'utf8')) as Json;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** The time fields, as ISO strings, for compact exact assertions. */
function times(event: NormalizedEvent) {
  return { startsAt: iso(event.startsAt), endsAt: iso(event.endsAt), timezone: event.timezone, allDay: event.allDay };
}

function assertNormalizationError(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NormalizationError, `expected NormalizationError, got ${String(err)}`);
    assert.ok(err instanceof SceneScoutError);
    assert.equal(err.code, 'ERR_NORMALIZE');
    assert.equal(err.name, 'NormalizationError');
    assert.equal(err.field, field);
    assert.match(err.message, message);
    return true;
  });
}

const LA: NormalizeContext = { timezone: 'America/Los_Angeles', cityName: 'Los Angeles' };
const NYC: NormalizeContext = { timezone: 'America/New_York', cityName: 'New York' };
const BERLIN: NormalizeContext = { timezone: 'Europe/Berlin', cityName: 'Berlin' };

describe('ticketmaster', () => {
  test('happy path: UTC dateTime, widest image, standard price range, string coordinates', () => {
    const event = normalizeRawEvent('ticketmaster', fixture('ticketmaster', 'music-utc'), LA);
    assert.deepEqual(event, {
      source: 'ticketmaster',
      externalId: 'G5vYZ9K7a3bF1',
      title: 'Khruangbin & Friends',
      description: 'All ages. Doors open at 6pm.',
      startsAt: new Date('2026-04-18T02:00:00.000Z'),
      endsAt: null,
      timezone: 'America/Los_Angeles',
      allDay: false,
      status: 'scheduled',
      venue: {
        name: 'Hollywood Bowl',
        address: '2301 North Highland Avenue',
        city: 'Los Angeles',
        region: 'CA',
        postalCode: '90068',
        country: 'US',
        latitude: 34.11224,
        longitude: -118.33856,
      },
      priceMin: 45.5,
      priceMax: 89,
      currency: 'USD',
      isFree: false,
      url: 'https://www.ticketmaster.com/khruangbin-friends-los-angeles-california-04-17-2026/event/09006045C1A12B34',
      imageUrl: 'https://s1.ticketm.net/dam/a/1d1/khruangbin_TABLET_LANDSCAPE_LARGE_16_9.jpg',
      category: 'music',
    });
  });

  test('localDate/localTime are read in dates.timezone', () => {
    const event = normalizeRawEvent('ticketmaster', fixture('ticketmaster', 'sports-local-time'), NYC);
    // 20:00 CDT (UTC-5) in Chicago, not the context's New York.
    assert.deepEqual(times(event), { startsAt: '2026-06-13T01:00:00.000Z', endsAt: null, timezone: 'America/Chicago', allDay: false });
    assert.equal(event.category, 'sports');
  });

  test('timeTBA/noSpecificTime → all day on localDate; a bare end date includes that day', () => {
    const event = normalizeRawEvent('ticketmaster', fixture('ticketmaster', 'festival-tba'), NYC);
    assert.deepEqual(times(event), {
      startsAt: '2026-08-01T04:00:00.000Z',
      endsAt: '2026-08-04T04:00:00.000Z',
      timezone: 'America/New_York',
      allDay: true,
    });
    assert.equal(event.status, 'scheduled'); // offsale
    assert.equal(event.isFree, true); // a 0–0 price range
    assert.equal(event.venue.latitude, null); // longitude "not-a-number" spoils the pair
    assert.equal(event.venue.longitude, null);
    assert.equal(event.category, 'food-drink'); // Miscellaneous/Undefined, then the title's "Market"
  });

  test('timeTBA ignores a placeholder dateTime', () => {
    const data = fixture('ticketmaster', 'music-utc');
    data.dates.start.timeTBA = true;
    const event = normalizeRawEvent('ticketmaster', data);
    assert.deepEqual(times(event), { startsAt: '2026-04-17T07:00:00.000Z', endsAt: null, timezone: 'America/Los_Angeles', allDay: true });
  });

  test('statuses: canceled/cancelled, postponed, rescheduled, onsale/offsale', () => {
    assert.equal(normalizeRawEvent('ticketmaster', fixture('ticketmaster', 'comedy-cancelled')).status, 'cancelled');
    const expected = { canceled: 'cancelled', cancelled: 'cancelled', postponed: 'postponed', rescheduled: 'rescheduled', onsale: 'scheduled', offsale: 'scheduled' };
    for (const [code, status] of Object.entries(expected)) {
      const data = fixture('ticketmaster', 'music-utc');
      data.dates.status.code = code;
      assert.equal(normalizeRawEvent('ticketmaster', data).status, status, code);
    }
  });

  test('genre Comedy beats segment Arts & Theatre; currency upper-cased; end from dates.end', () => {
    const event = normalizeRawEvent('ticketmaster', fixture('ticketmaster', 'comedy-cancelled'));
    assert.equal(event.category, 'comedy');
    assert.equal(event.currency, 'USD');
    assert.deepEqual(times(event), { startsAt: '2026-05-09T23:30:00.000Z', endsAt: '2026-05-10T01:30:00.000Z', timezone: 'America/New_York', allDay: false });
  });

  test('an invalid zone falls back to the venue zone, then the context, then UTC', () => {
    const data = fixture('ticketmaster', 'sports-local-time');
    data.dates.timezone = 'Mars/Olympus_Mons';
    assert.equal(normalizeRawEvent('ticketmaster', data, NYC).timezone, 'America/Chicago');
    delete data._embedded.venues[0].timezone;
    assert.equal(normalizeRawEvent('ticketmaster', data, NYC).timezone, 'America/New_York');
    assert.equal(normalizeRawEvent('ticketmaster', data, { timezone: 'Not/AZone' }).timezone, 'UTC');
  });

  test('invalid records name the field', () => {
    const noStart = fixture('ticketmaster', 'music-utc');
    delete noStart.dates.start;
    assertNormalizationError(
      () => normalizeRawEvent('ticketmaster', noStart),
      'dates.start',
      /^ticketmaster record "G5vYZ9K7a3bF1": missing field dates\.start \(need dateTime or localDate\)$/,
    );

    const emptyStart = fixture('ticketmaster', 'music-utc');
    emptyStart.dates.start = { dateTBA: true, dateTBD: true };
    assertNormalizationError(() => normalizeRawEvent('ticketmaster', emptyStart), 'dates.start', /missing field dates\.start/);

    const badDateTime = fixture('ticketmaster', 'music-utc');
    badDateTime.dates.start.dateTime = '2026-04-31T02:00:00Z';
    assertNormalizationError(
      () => normalizeRawEvent('ticketmaster', badDateTime),
      'dates.start.dateTime',
      /ticketmaster record "G5vYZ9K7a3bF1": invalid field dates\.start\.dateTime: "2026-04-31T02:00:00Z" is not an ISO 8601/,
    );

    const badLocalTime = fixture('ticketmaster', 'sports-local-time');
    badLocalTime.dates.start.localTime = '8pm';
    assertNormalizationError(() => normalizeRawEvent('ticketmaster', badLocalTime), 'dates.start.localTime', /"8pm"/);

    const noName = fixture('ticketmaster', 'music-utc');
    noName.name = '   ';
    assertNormalizationError(() => normalizeRawEvent('ticketmaster', noName), 'name', /"G5vYZ9K7a3bF1": missing field name$/);

    const noId = fixture('ticketmaster', 'music-utc');
    delete noId.id;
    assertNormalizationError(() => normalizeRawEvent('ticketmaster', noId), 'id', /^ticketmaster record \(no id\): missing field id$/);
  });
});

describe('eventbrite', () => {
  test('happy path: start.utc with start.timezone, entities, ticket prices, venue strings', () => {
    const event = normalizeRawEvent('eventbrite', fixture('eventbrite', 'jazz-wine'), { timezone: 'America/New_York' });
    assert.deepEqual(event, {
      source: 'eventbrite',
      externalId: '812345678901',
      title: "Jazz & Wine Night at L'Atelier",
      description: 'An evening of live jazz & natural wines from the Loïre Valley.',
      startsAt: new Date('2026-03-01T03:00:00.000Z'),
      endsAt: new Date('2026-03-01T06:00:00.000Z'),
      timezone: 'America/Los_Angeles',
      allDay: false,
      status: 'scheduled',
      venue: {
        name: "L'Atelier Café",
        address: '1520 Valencia St, Suite B',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94110',
        country: 'US',
        latitude: 37.7486285,
        longitude: -122.4207491,
      },
      priceMin: 25,
      priceMax: 60,
      currency: 'USD',
      isFree: false,
      url: 'https://www.eventbrite.com/e/jazz-wine-night-at-latelier-tickets-812345678901',
      imageUrl: 'https://img.evbuc.com/https%3A%2F%2Fcdn.evbuc.com%2Fimages%2F655443322%2Foriginal.jpg',
      category: 'music',
    });
  });

  test('canceled online multi-day event: no venue, free, ends days later', () => {
    const event = normalizeRawEvent('eventbrite', fixture('eventbrite', 'online-conference-canceled'), { cityName: 'London' });
    assert.equal(event.status, 'cancelled');
    assert.deepEqual(times(event), { startsAt: '2026-05-12T08:00:00.000Z', endsAt: '2026-05-14T16:30:00.000Z', timezone: 'Europe/London', allDay: false });
    assert.deepEqual(Object.values(event.venue), [null, null, null, null, null, null, null, null]);
    assert.equal(event.isFree, true);
    assert.deepEqual([event.priceMin, event.priceMax, event.currency], [0, 0, 'GBP']);
    assert.equal(event.category, 'business'); // 102 Science & Technology
  });

  test('other statuses are scheduled', () => {
    for (const status of ['live', 'started', 'ended', 'completed', 'draft']) {
      const data = fixture('eventbrite', 'jazz-wine');
      data.status = status;
      assert.equal(normalizeRawEvent('eventbrite', data).status, 'scheduled', status);
    }
  });

  test('start.local in start.timezone when start.utc is absent', () => {
    const data = fixture('eventbrite', 'jazz-wine');
    delete data.start.utc;
    assert.equal(iso(normalizeRawEvent('eventbrite', data).startsAt), '2026-03-01T03:00:00.000Z');
  });

  test('an end before the start is dropped', () => {
    const data = fixture('eventbrite', 'jazz-wine');
    data.end.utc = '2026-02-28T08:00:00Z';
    assert.equal(normalizeRawEvent('eventbrite', data).endsAt, null);
  });

  test('invalid records name the field', () => {
    const badDate = fixture('eventbrite', 'jazz-wine');
    badDate.start.utc = '2026-02-30T19:00:00Z';
    assertNormalizationError(
      () => normalizeRawEvent('eventbrite', badDate),
      'start.utc',
      /^eventbrite record "812345678901": invalid field start\.utc: "2026-02-30T19:00:00Z" is not an ISO 8601 date or date-time$/,
    );
    const noStart = fixture('eventbrite', 'jazz-wine');
    delete noStart.start;
    assertNormalizationError(() => normalizeRawEvent('eventbrite', noStart), 'start.utc', /missing field start\.utc/);
    const noName = fixture('eventbrite', 'jazz-wine');
    noName.name = { text: null, html: null };
    assertNormalizationError(() => normalizeRawEvent('eventbrite', noName), 'name.text', /"812345678901": missing field name\.text/);
  });
});

describe('yelp', () => {
  test('happy path: ISO time with offset; performing-arts + stand-up → comedy', () => {
    const event = normalizeRawEvent('yelp', fixture('yelp', 'comedy-offset'), LA);
    assert.deepEqual(event, {
      source: 'yelp',
      externalId: 'san-francisco-stand-up-comedy-showcase-12',
      title: 'Stand-Up Showcase at The Lost Church',
      description: "Five of the Bay's sharpest stand-ups test new material. 18+ only…",
      startsAt: new Date('2026-03-02T03:00:00.000Z'),
      endsAt: new Date('2026-03-02T06:30:00.000Z'),
      timezone: 'America/Los_Angeles',
      allDay: false,
      status: 'scheduled',
      venue: {
        name: null,
        address: '988 Columbus Ave',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94133',
        country: 'US',
        latitude: 37.7609,
        longitude: -122.435,
      },
      priceMin: 15,
      priceMax: 25,
      currency: null,
      isFree: false,
      url: 'https://www.yelp.com/events/san-francisco-stand-up-comedy-showcase-12?adjust_creative=abc&utm_campaign=yelp_api_v3',
      imageUrl: 'https://s3-media1.fl.yelpcdn.com/ephoto/Qw1s2x3Yz/o.jpg',
      category: 'comedy',
    });
  });

  test('an offset wins over the context zone', () => {
    assert.equal(iso(normalizeRawEvent('yelp', fixture('yelp', 'comedy-offset'), BERLIN).startsAt), '2026-03-02T03:00:00.000Z');
  });

  test('naive local times are read in the context zone; multi-day; string coordinates', () => {
    const event = normalizeRawEvent('yelp', fixture('yelp', 'festival-naive'), NYC);
    assert.deepEqual(times(event), { startsAt: '2026-07-04T22:00:00.000Z', endsAt: '2026-07-07T03:00:00.000Z', timezone: 'America/New_York', allDay: false });
    assert.equal(event.title, 'Café Jazz Festival');
    assert.equal(event.description, 'Three nights of jazz on the pier. Food trucks & family area.');
    assert.deepEqual([event.venue.latitude, event.venue.longitude], [40.70311, -74.01735]);
    assert.equal(event.venue.address, 'Pier A Plaza'); // display_address when address1 is null
    assert.equal(event.imageUrl, null);
    assert.equal(event.isFree, true);
    assert.equal(event.category, 'music'); // festivals-fairs is weak; "Jazz" decides
  });

  test('the "T" form of a naive time, and UTC without a context zone', () => {
    const data = fixture('yelp', 'festival-naive');
    data.time_start = '2026-07-04T18:00:00';
    assert.equal(iso(normalizeRawEvent('yelp', data, NYC).startsAt), '2026-07-04T22:00:00.000Z');
    const event = normalizeRawEvent('yelp', data);
    assert.equal(event.timezone, 'UTC');
    assert.equal(iso(event.startsAt), '2026-07-04T18:00:00.000Z');
  });

  test('is_canceled → cancelled', () => {
    const data = fixture('yelp', 'comedy-offset');
    data.is_canceled = true;
    assert.equal(normalizeRawEvent('yelp', data, LA).status, 'cancelled');
  });

  test('invalid records name the field', () => {
    const bad = fixture('yelp', 'comedy-offset');
    bad.time_start = 'next friday';
    assertNormalizationError(
      () => normalizeRawEvent('yelp', bad, LA),
      'time_start',
      /^yelp record "san-francisco-stand-up-comedy-showcase-12": invalid field time_start: "next friday"/,
    );
    const missing = fixture('yelp', 'comedy-offset');
    delete missing.time_start;
    assertNormalizationError(() => normalizeRawEvent('yelp', missing, LA), 'time_start', /missing field time_start$/);
    const noName = fixture('yelp', 'comedy-offset');
    noName.name = '';
    assertNormalizationError(() => normalizeRawEvent('yelp', noName, LA), 'name', /missing field name/);
  });
});

describe('ics', () => {
  test('TZID: utc instant, zone from tzid, free-text location split, description tags stripped', () => {
    const event = normalizeRawEvent('ics', fixture('ics', 'tzid-jazz'), { timezone: 'Europe/Berlin' });
    assert.deepEqual(event, {
      source: 'ics',
      externalId: 'bn-20260501-2000@bluenotejazz.com',
      title: 'Robert Glasper Trio',
      description: 'Two sets nightly. Doors 7:30pm. Tickets',
      startsAt: new Date('2026-05-02T00:00:00.000Z'),
      endsAt: new Date('2026-05-02T02:00:00.000Z'),
      timezone: 'America/New_York',
      allDay: false,
      status: 'scheduled',
      venue: {
        name: 'Blue Note Jazz Club',
        address: '131 W 3rd St, New York, NY 10012',
        city: null,
        region: null,
        postalCode: null,
        country: null,
        latitude: 40.7307,
        longitude: -73.9996,
      },
      priceMin: null,
      priceMax: null,
      currency: null,
      isFree: null,
      url: 'https://www.bluenotejazz.com/nyc/shows/?eid=123456',
      imageUrl: null,
      category: 'music',
    });
  });

  test('UTC time without tzid takes the context zone; cityName fills a missing city', () => {
    const event = normalizeRawEvent('ics', fixture('ics', 'utc-talk'), { timezone: 'Europe/London', cityName: 'London' });
    assert.deepEqual(times(event), { startsAt: '2026-05-10T17:00:00.000Z', endsAt: null, timezone: 'Europe/London', allDay: false });
    assert.deepEqual([event.venue.name, event.venue.address, event.venue.city], ['Museum of London Docklands', null, 'London']);
    assert.equal(event.category, 'community'); // "Lecture"
  });

  test('all-day: local midnight in the zone, exclusive DTEND, string geo', () => {
    const event = normalizeRawEvent('ics', fixture('ics', 'allday-fair'), NYC);
    assert.deepEqual(times(event), { startsAt: '2026-07-04T04:00:00.000Z', endsAt: '2026-07-07T04:00:00.000Z', timezone: 'America/New_York', allDay: true });
    assert.deepEqual([event.venue.latitude, event.venue.longitude], [40.7473, -73.7222]);
    assert.equal(event.status, 'scheduled'); // TENTATIVE
    assert.equal(event.category, 'family');
    const utc = normalizeRawEvent('ics', fixture('ics', 'allday-fair'));
    assert.deepEqual(times(utc), { startsAt: '2026-07-04T00:00:00.000Z', endsAt: '2026-07-07T00:00:00.000Z', timezone: 'UTC', allDay: true });
  });

  test('an occurrence of a recurring event: externalId uid@start.utc; CANCELLED', () => {
    const event = normalizeRawEvent('ics', fixture('ics', 'recurring-cancelled'), NYC);
    assert.equal(event.externalId, 'weekly-meetup@civic.example.org@2026-05-08T18:00:00Z');
    assert.equal(event.status, 'cancelled');
    assert.equal(event.venue.name, 'Civic Hall');
    assert.doesNotMatch(event.venue.address ?? '', /\\/);
  });

  test('externalId: explicit field preferred; occurrence: true also marks an occurrence', () => {
    const explicit = fixture('ics', 'recurring-cancelled');
    explicit.externalId = 'weekly-meetup@civic.example.org@20260508T180000Z';
    assert.equal(normalizeRawEvent('ics', explicit).externalId, 'weekly-meetup@civic.example.org@20260508T180000Z');
    const flagged = fixture('ics', 'tzid-jazz');
    flagged.occurrence = true;
    assert.equal(normalizeRawEvent('ics', flagged).externalId, 'bn-20260501-2000@bluenotejazz.com@2026-05-02T00:00:00.000Z');
  });

  test('statuses', () => {
    for (const [status, expected] of [['CONFIRMED', 'scheduled'], ['TENTATIVE', 'scheduled'], ['CANCELLED', 'cancelled'], [null, 'scheduled']] as const) {
      const data = fixture('ics', 'tzid-jazz');
      data.status = status;
      assert.equal(normalizeRawEvent('ics', data).status, expected, String(status));
    }
  });

  test('local in TZID when utc is absent', () => {
    const data = fixture('ics', 'tzid-jazz');
    delete data.start.utc;
    assert.equal(iso(normalizeRawEvent('ics', data).startsAt), '2026-05-02T00:00:00.000Z');
  });

  test('invalid records name the field', () => {
    const noSummary = fixture('ics', 'tzid-jazz');
    noSummary.summary = '';
    assertNormalizationError(() => normalizeRawEvent('ics', noSummary), 'summary', /^ics record "bn-20260501-2000@bluenotejazz.com": missing field summary$/);
    const noStart = fixture('ics', 'tzid-jazz');
    noStart.start = null;
    assertNormalizationError(() => normalizeRawEvent('ics', noStart), 'start', /missing field start/);
    const badUtc = fixture('ics', 'tzid-jazz');
    badUtc.start.utc = '2026-13-01T00:00:00Z';
    assertNormalizationError(() => normalizeRawEvent('ics', badUtc), 'start.utc', /invalid field start\.utc: "2026-13-01T00:00:00Z"/);
    const badDay = fixture('ics', 'allday-fair');
    badDay.start.local = '2026-07-32';
    assertNormalizationError(() => normalizeRawEvent('ics', badDay), 'start.local', /invalid field start\.local/);
  });
});

describe('jsonld', () => {
  test('happy path: subtype list, offset, offers array, PostalAddress, string geo, relative image', () => {
    const event = normalizeRawEvent('jsonld', fixture('jsonld', 'music-offset'), BERLIN);
    assert.deepEqual(event, {
      source: 'jsonld',
      externalId: 'https://www.huxleys.berlin/events/2026-09-12-bonobo#event',
      title: 'Bonobo – Live',
      description: 'Simon Green returns with a full live band.',
      startsAt: new Date('2026-09-12T18:00:00.000Z'),
      endsAt: new Date('2026-09-12T21:30:00.000Z'),
      timezone: 'Europe/Berlin',
      allDay: false,
      status: 'scheduled',
      venue: {
        name: 'Huxleys Neue Welt',
        address: 'Hasenheide 107-113',
        city: 'Berlin',
        region: 'BE',
        postalCode: '10967',
        country: 'DE',
        latitude: 52.4862,
        longitude: 13.4197,
      },
      priceMin: 39.9,
      priceMax: 49.9,
      currency: 'EUR',
      isFree: false,
      url: 'https://www.huxleys.berlin/events/2026-09-12-bonobo',
      imageUrl: 'https://www.huxleys.berlin/media/bonobo-1200x630.jpg',
      category: 'music',
    });
  });

  test('without offset: read in the context zone; relative url resolved and used as id', () => {
    const event = normalizeRawEvent('jsonld', fixture('jsonld', 'theatre-naive'), BERLIN);
    assert.deepEqual(times(event), { startsAt: '2026-11-20T18:30:00.000Z', endsAt: '2026-11-20T21:15:00.000Z', timezone: 'Europe/Berlin', allDay: false });
    assert.equal(event.externalId, 'https://www.schaubuehne.de/de/produktionen/hamlet.html?termin=2026-11-20');
    assert.equal(event.url, event.externalId);
    assert.equal(event.status, 'rescheduled');
    assert.equal(event.title, 'Hamlet');
    assert.equal(event.description, 'Regie: Thomas Ostermeier. Aufführung in deutscher Sprache mit englischen Übertiteln.');
    assert.deepEqual([event.venue.name, event.venue.address, event.venue.city], ['Schaubühne am Lehniner Platz', 'Kurfürstendamm 153, 10709 Berlin', 'Berlin']);
    assert.deepEqual([event.priceMin, event.priceMax, event.currency], [9, 52, 'EUR']);
    assert.equal(event.imageUrl, 'https://www.schaubuehne.de/uploads/hamlet-1600.jpg');
    assert.equal(event.category, 'arts-theatre');
  });

  test('date-only: all day, inclusive endDate, price "0" → free, hash id', () => {
    const event = normalizeRawEvent('jsonld', fixture('jsonld', 'festival-date-only'), BERLIN);
    assert.deepEqual(times(event), { startsAt: '2026-08-13T22:00:00.000Z', endsAt: '2026-08-16T22:00:00.000Z', timezone: 'Europe/Berlin', allDay: true });
    assert.equal(event.isFree, true);
    assert.deepEqual([event.priceMin, event.priceMax], [0, 0]);
    assert.match(event.externalId, /^[0-9a-f]{16}$/);
    assert.equal(normalizeRawEvent('jsonld', fixture('jsonld', 'festival-date-only'), BERLIN).externalId, event.externalId);
    const moved = fixture('jsonld', 'festival-date-only');
    moved.startDate = '2026-08-21';
    moved.endDate = '2026-08-23';
    assert.notEqual(normalizeRawEvent('jsonld', moved, BERLIN).externalId, event.externalId);
    assert.equal(event.url, 'https://www.berlin-street-food.example/sommerfest'); // @sourcePage
    assert.equal(event.venue.address, 'Eisenbahnstraße 42/43');
    assert.equal(event.category, 'food-drink'); // Festival is weak; "Food" decides
    const offerOnly = fixture('jsonld', 'festival-date-only');
    delete offerOnly.isAccessibleForFree;
    assert.equal(normalizeRawEvent('jsonld', offerOnly, BERLIN).isFree, true);
  });

  test('eventStatus as URL, bare name or node; MovedOnline → scheduled', () => {
    const cases = [
      ['https://schema.org/EventCancelled', 'cancelled'],
      ['http://schema.org/EventPostponed', 'postponed'],
      ['EventRescheduled', 'rescheduled'],
      ['schema:EventCancelled', 'cancelled'],
      ['https://schema.org/EventScheduled', 'scheduled'],
      ['https://schema.org/EventMovedOnline', 'scheduled'],
      [{ '@id': 'https://schema.org/EventPostponed' }, 'postponed'],
    ] as const;
    for (const [eventStatus, expected] of cases) {
      const data = fixture('jsonld', 'music-offset');
      data.eventStatus = eventStatus;
      assert.equal(normalizeRawEvent('jsonld', data, BERLIN).status, expected, JSON.stringify(eventStatus));
    }
  });

  test('moved online: skips the VirtualLocation, resolves a relative @id, comedy subtype', () => {
    const event = normalizeRawEvent('jsonld', fixture('jsonld', 'comedy-moved-online'), BERLIN);
    assert.equal(event.status, 'scheduled');
    assert.equal(event.externalId, 'https://quatsch-comedy.example/programm#late-show');
    assert.deepEqual([event.venue.name, event.venue.address, event.venue.country], ['Quatsch Comedy Club', 'Friedrichstraße 107', 'DE']);
    assert.equal(event.category, 'comedy');
    assert.equal(event.currency, 'EUR');
  });

  test('invalid records name the field', () => {
    const noStart = fixture('jsonld', 'music-offset');
    delete noStart.startDate;
    assertNormalizationError(
      () => normalizeRawEvent('jsonld', noStart, BERLIN),
      'startDate',
      /^jsonld record "https:\/\/www\.huxleys\.berlin\/events\/2026-09-12-bonobo#event": missing field startDate$/,
    );
    const badStart = fixture('jsonld', 'festival-date-only');
    badStart.startDate = '14.08.2026';
    assertNormalizationError(() => normalizeRawEvent('jsonld', badStart, BERLIN), 'startDate', /^jsonld record \(no id\): invalid field startDate: "14\.08\.2026"/);
    const noName = fixture('jsonld', 'theatre-naive');
    noName.name = '&nbsp;';
    assertNormalizationError(() => normalizeRawEvent('jsonld', noName, BERLIN), 'name', /missing field name/);
  });
});

describe('all sources', () => {
  test('a record that is not an object, and an unknown source', () => {
    assertNormalizationError(() => normalizeRawEvent('yelp', null), '$', /^yelp record \(no id\): invalid record: expected an object, got null$/);
    assertNormalizationError(() => normalizeRawEvent('ics', [fixture('ics', 'tzid-jazz')]), '$', /got an array/);
    assertNormalizationError(() => normalizeRawEvent('meetup', {}), 'source', /unknown source "meetup"/);
  });

  test('out-of-range and unparsable coordinates become null', () => {
    const data = fixture('ticketmaster', 'music-utc');
    data._embedded.venues[0].location = { latitude: '134.1', longitude: '-118.3' };
    assert.deepEqual([normalizeRawEvent('ticketmaster', data).venue.latitude, normalizeRawEvent('ticketmaster', data).venue.longitude], [null, null]);
    const yelp = fixture('yelp', 'comedy-offset');
    yelp.latitude = '';
    yelp.longitude = -122.4;
    assert.equal(normalizeRawEvent('yelp', yelp, LA).venue.latitude, null);
  });

  test('the result is a fresh object the caller may change', () => {
    const a = normalizeRawEvent('eventbrite', fixture('eventbrite', 'online-conference-canceled'));
    a.venue.name = 'changed';
    const b = normalizeRawEvent('eventbrite', fixture('eventbrite', 'online-conference-canceled'));
    assert.equal(b.venue.name, null);
  });
});
