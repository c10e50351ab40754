import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { normalizeRawEvent } from '../../../src/lib/normalize/index.js';
import { localMidnight, parseDateTime, pickZone } from '../../../src/lib/normalize/time.js';

type Json = Record<string, any>;

function fixture(source: string, name: string): Json {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/normalize', source, `${name}.json`), 'utf8')) as Json;
}

function utc(text: string, zone: string): string | null {
  return parseDateTime(text, zone)?.instant.toUTC().toISO() ?? null;
}

describe('parseDateTime', () => {
  test('accepted forms', () => {
    assert.equal(utc('2026-03-01T19:00:00Z', 'America/New_York'), '2026-03-01T19:00:00.000Z');
    assert.equal(utc('2026-03-01T19:00:00.250z', 'UTC'), '2026-03-01T19:00:00.250Z');
    assert.equal(utc('2026-03-01T19:00:00-08:00', 'Europe/Berlin'), '2026-03-02T03:00:00.000Z');
    assert.equal(utc('2026-03-01T19:00:00+0530', 'UTC'), '2026-03-01T13:30:00.000Z');
    assert.equal(utc('2026-03-01T19:00+01', 'UTC'), '2026-03-01T18:00:00.000Z');
    assert.equal(utc('2026-03-01 19:00', 'America/Los_Angeles'), '2026-03-02T03:00:00.000Z');
    assert.equal(utc('2026-03-01T19:00:00', 'America/Los_Angeles'), '2026-03-02T03:00:00.000Z');
    assert.equal(utc(' 2026-03-01 ', 'Europe/Berlin'), '2026-02-28T23:00:00.000Z');
    assert.equal(parseDateTime('2026-03-01', 'UTC')?.dateOnly, true);
    assert.equal(parseDateTime('2026-03-01T00:00', 'UTC')?.dateOnly, false);
  });

  test('rejected forms', () => {
    for (const text of ['', 'tomorrow', '03/01/2026', '2026-02-30', '2026-02-30T19:00:00Z', '2026-03-01T25:00', '2026-03', '2026-W09-7', '1772391600']) {
      assert.equal(parseDateTime(text, 'UTC'), null, text);
    }
    assert.equal(parseDateTime(1772391600000, 'UTC'), null);
  });

  test('pickZone takes the first valid IANA zone, else UTC', () => {
    assert.equal(pickZone(null, '', 'Mars/Base', ' Europe/Berlin ', 'America/New_York'), 'Europe/Berlin');
    assert.equal(pickZone(undefined, 42, 'Not/AZone'), 'UTC');
    // The name given is kept (not ICU's older Asia/Calcutta); an abbreviation yields to the next.
    assert.equal(pickZone('Asia/Kolkata'), 'Asia/Kolkata');
    assert.equal(pickZone('EST', 'America/Chicago'), 'America/Chicago');
  });
});

describe('DST edges', () => {
  test('what luxon does on its own: gap shifted forward, overlap resolved to the LATER offset', () => {
    // Spring forward in Berlin: 02:30 does not exist; luxon moves it to 03:30 CEST.
    assert.equal(DateTime.fromISO('2026-03-29T02:30:00', { zone: 'Europe/Berlin' }).toISO(), '2026-03-29T03:30:00.000+02:00');
    // Fall back in Berlin: 02:30 happens twice; luxon alone picks the second (+01:00)…
    assert.equal(DateTime.fromISO('2026-10-25T02:30:00', { zone: 'Europe/Berlin' }).toISO(), '2026-10-25T02:30:00.000+01:00');
    // …which is why normalize asks luxon for both candidates (getPossibleOffsets) and takes the first.
    assert.equal(utc('2026-10-25T02:30:00', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z');
  });

  test('Europe/Berlin: spring-forward gap moves forward, fall-back overlap takes the first instant', () => {
    assert.equal(utc('2026-03-29T02:30:00', 'Europe/Berlin'), '2026-03-29T01:30:00.000Z'); // = 03:30 CEST
    assert.equal(utc('2026-03-29T01:59:00', 'Europe/Berlin'), '2026-03-29T00:59:00.000Z');
    assert.equal(utc('2026-03-29T03:00:00', 'Europe/Berlin'), '2026-03-29T01:00:00.000Z');
    assert.equal(utc('2026-10-25T02:30:00', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z'); // 02:30 CEST, not CET
    assert.equal(utc('2026-10-25T03:00:00', 'Europe/Berlin'), '2026-10-25T02:00:00.000Z'); // after the overlap
  });

  test('America/New_York: spring-forward gap moves forward, fall-back overlap takes the first instant', () => {
    assert.equal(utc('2026-03-08T02:30:00', 'America/New_York'), '2026-03-08T07:30:00.000Z'); // = 03:30 EDT
    assert.equal(utc('2026-11-01T01:30:00', 'America/New_York'), '2026-11-01T05:30:00.000Z'); // 01:30 EDT, not EST
    assert.equal(utc('2026-11-01T02:30:00', 'America/New_York'), '2026-11-01T07:30:00.000Z'); // unambiguous EST
  });

  test('an instant with an offset is never moved, even inside a local gap or overlap', () => {
    assert.equal(utc('2026-10-25T02:30:00+01:00', 'Europe/Berlin'), '2026-10-25T01:30:00.000Z');
    assert.equal(utc('2026-10-25T02:30:00+02:00', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z');
  });

  test('through each source that reads naive local times', () => {
    const jsonld = fixture('jsonld', 'comedy-moved-online'); // startDate 2026-10-25T02:30:00
    assert.equal(normalizeRawEvent('jsonld', jsonld, { timezone: 'Europe/Berlin' }).startsAt.toISOString(), '2026-10-25T00:30:00.000Z');
    jsonld.startDate = '2026-03-29T02:30:00';
    assert.equal(normalizeRawEvent('jsonld', jsonld, { timezone: 'Europe/Berlin' }).startsAt.toISOString(), '2026-03-29T01:30:00.000Z');

    const yelp = fixture('yelp', 'festival-naive');
    yelp.time_start = '2026-03-08 02:30';
    yelp.time_end = '2026-11-01 01:30';
    const fromYelp = normalizeRawEvent('yelp', yelp, { timezone: 'America/New_York' });
    assert.equal(fromYelp.startsAt.toISOString(), '2026-03-08T07:30:00.000Z');
    assert.equal(fromYelp.endsAt?.toISOString(), '2026-11-01T05:30:00.000Z');

    const tm = fixture('ticketmaster', 'sports-local-time');
    tm.dates.timezone = 'America/New_York';
    tm.dates.start.localDate = '2026-11-01';
    tm.dates.start.localTime = '01:30:00';
    assert.equal(normalizeRawEvent('ticketmaster', tm).startsAt.toISOString(), '2026-11-01T05:30:00.000Z');

    const ics = fixture('ics', 'tzid-jazz');
    ics.start = { utc: null, tzid: 'Europe/Berlin', local: '2026-03-29T02:30:00', allDay: false };
    ics.end = null;
    assert.equal(normalizeRawEvent('ics', ics).startsAt.toISOString(), '2026-03-29T01:30:00.000Z');
  });

  test('all-day on the spring-forward day: a 23-hour day', () => {
    const data = fixture('jsonld', 'festival-date-only');
    data.startDate = '2026-03-29';
    data.endDate = '2026-03-29';
    const event = normalizeRawEvent('jsonld', data, { timezone: 'Europe/Berlin' });
    assert.equal(event.startsAt.toISOString(), '2026-03-28T23:00:00.000Z');
    assert.equal(event.endsAt?.toISOString(), '2026-03-29T22:00:00.000Z');
    assert.equal(localMidnight('2026-11-01', 'America/New_York')?.toUTC().toISO(), '2026-11-01T04:00:00.000Z');
  });
});
