import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featuresOf, type Features } from '../../../../src/lib/catalogue/dedupe/features.js';
import { resolveOptions } from '../../../../src/lib/catalogue/dedupe/options.js';
import {
  compareCity, compareGeoDistance, compareSessionMarkers, compareSources, compareTime, compareTitle, compareVenueNames, decide,
  scorePair, type PairEvidence,
} from '../../../../src/lib/catalogue/dedupe/scoring.js';
import { EIGHT_PM, FILLMORE, event, minutes } from './listings.js';

const features = (...args: Parameters<typeof event>): Features => featuresOf(event(...args));

const tm = features('ticketmaster', 'a');

describe('field comparisons', () => {
  it('sources: another source, another listing of the same source, the same record', () => {
    assert.equal(compareSources(tm, features('eventbrite', 'a')), 'different');
    assert.equal(compareSources(tm, features('ticketmaster', 'b')), 'same-source');
    assert.equal(compareSources(tm, features('ticketmaster', 'a')), 'same-record');
  });

  it('session markers: none, on one side, compatible, conflicting', () => {
    assert.equal(compareSessionMarkers(tm, features('eventbrite', 'b')), 'none');
    assert.equal(compareSessionMarkers(tm, features('eventbrite', 'b', { title: 'Khruangbin (Early Show)' })), 'one-side');
    const early = features('ticketmaster', 'e', { title: 'Khruangbin (Early Show)' });
    assert.equal(compareSessionMarkers(early, features('eventbrite', 'b', { title: 'Khruangbin - Early Show' })), 'compatible');
    assert.equal(compareSessionMarkers(early, features('eventbrite', 'b', { title: 'Khruangbin 7pm Show' })), 'compatible', 'early vs 19:00: time decides');
    assert.equal(compareSessionMarkers(early, features('eventbrite', 'b', { title: 'Khruangbin - Late Show' })), 'conflict');
    assert.equal(compareSessionMarkers(features('a', '1', { title: 'Phish Night 1' }), features('b', '2', { title: 'Phish (Night Two)' })), 'conflict');
  });

  it('time: minutes apart within and beyond the tolerance; all-day listings by local day', () => {
    assert.deepEqual(compareTime(tm, features('eventbrite', 'b', { startsAt: new Date(EIGHT_PM + minutes(15)) }), 30),
      { level: 'within-tolerance', deltaMinutes: 15 });
    assert.deepEqual(compareTime(tm, features('eventbrite', 'b', { startsAt: new Date(EIGHT_PM - minutes(45)) }), 30),
      { level: 'beyond-tolerance', deltaMinutes: 45 });
    assert.deepEqual(compareTime(tm, features('eventbrite', 'b', { startsAt: new Date(EIGHT_PM + minutes(45)) }), 60),
      { level: 'within-tolerance', deltaMinutes: 45 });
    // Local midnight in Los Angeles, and UTC midnight (how some feeds write an all-day date): both May 1.
    const allDay = features('ics', 'i', { allDay: true, startsAt: new Date('2026-05-01T07:00:00Z') });
    const utcMidnight = features('jsonld', 'j', { allDay: true, startsAt: new Date('2026-05-01T00:00:00Z') });
    assert.deepEqual(compareTime(tm, allDay, 30), { level: 'all-day-vs-timed', deltaMinutes: null });
    assert.deepEqual(compareTime(allDay, utcMidnight, 30), { level: 'both-all-day', deltaMinutes: null });
    const nextDay = features('ics', 'k', { allDay: true, startsAt: new Date('2026-05-02T07:00:00Z') });
    assert.deepEqual(compareTime(tm, nextDay, 30), { level: 'different-days', deltaMinutes: null });
  });

  it('title: normalized titles, numbers that differ cap the similarity', () => {
    assert.equal(compareTitle(tm, features('eventbrite', 'b', { title: 'KEXP presents: KHRUANGBIN (Early Show)' })), 1);
    assert.equal(compareTitle(features('a', '1', { title: 'UFC 300' }), features('b', '2', { title: 'UFC 301' })), 0.5);
    assert.ok(compareTitle(tm, features('eventbrite', 'b', { title: 'Trivia Night' })) < 0.2);
  });

  it('venue names: normalized without the venue\'s own city; null when a side has none', () => {
    assert.equal(compareVenueNames(tm, features('eventbrite', 'b', { venue: { name: 'Fillmore SF' } })), 1);
    assert.equal(compareVenueNames(tm, features('yelp', 'y', { venue: { name: null, address: null } })), null);
    const byAddress = features('yelp', 'y', { venue: { name: null, address: '1805 Geary Blvd' } });
    assert.ok(compareVenueNames(tm, byAddress)! < 0.1, 'a street address stands in for a missing name');
  });

  it('geo distance: metres apart; null without usable coordinates, (0, 0) included', () => {
    assert.equal(Math.round(compareGeoDistance(tm, features('eventbrite', 'b', { venue: { latitude: FILLMORE.lat + 0.0003 } }))!), 33);
    assert.equal(compareGeoDistance(tm, tm), 0);
    assert.equal(compareGeoDistance(tm, features('ics', 'i', { venue: { latitude: null, longitude: null } })), null);
    assert.equal(compareGeoDistance(tm, features('ics', 'i', { venue: { latitude: 0, longitude: 0 } })), null);
    assert.equal(compareGeoDistance(tm, features('ics', 'i', { venue: { latitude: 91 } })), null);
  });

  it('city: aliases are the same city; unknown when a side has none', () => {
    assert.equal(compareCity(tm, features('ics', 'i', { venue: { city: 'SF' } })), 'same');
    assert.equal(compareCity(tm, features('ics', 'i', { venue: { city: 'San Francisco, CA' } })), 'same');
    assert.equal(compareCity(tm, features('ics', 'i', { venue: { city: 'New York' } })), 'different');
    assert.equal(compareCity(tm, features('ics', 'i', { venue: { city: null } })), 'unknown');
  });
});

describe('the hand-set decision', () => {
  const o = resolveOptions(undefined);
  const evidence = (over: Partial<PairEvidence>): PairEvidence => ({
    markers: 'none', time: { level: 'within-tolerance', deltaMinutes: 0 }, title: 1, venueNames: 1, metres: 0, city: 'same', ...over,
  });

  it('weighs title 0.55, venue 0.25 and start 0.20', () => {
    assert.deepEqual(decide(evidence({}), o), { score: 1, match: true, start: 1, venue: 1, minTitle: 0.7 });
    const d = decide(evidence({ title: 0.7, time: { level: 'within-tolerance', deltaMinutes: 15 } }), o);
    assert.equal(d.start, 0.75);
    assert.ok(Math.abs(d.score - (0.55 * 0.7 + 0.25 + 0.2 * 0.75)) < 1e-12);
    assert.equal(d.match, false, 'score 0.785 < 0.8');
  });

  it('mixes venue names (70%) and distance (30%: 1 up to 100 m, 0 from 1 km)', () => {
    assert.equal(decide(evidence({ venueNames: 1, metres: 550 }), o).venue, 0.7 + 0.3 * 0.5);
    assert.equal(decide(evidence({ venueNames: null, metres: 550 }), o).venue, 0.5);
    assert.equal(decide(evidence({ venueNames: null, metres: 550 }), o).match, false, 'venue below 0.6');
    assert.equal(decide(evidence({ venueNames: 0.5, metres: null }), o).venue, 0.5);
  });

  it('without a venue, rescales title and start and asks for a title of 0.85', () => {
    const d = decide(evidence({ venueNames: null, metres: null, title: 0.84 }), o);
    assert.equal(d.venue, null);
    assert.equal(d.minTitle, 0.85);
    assert.ok(Math.abs(d.score - (0.55 * 0.84 + 0.2) / 0.75) < 1e-12);
    assert.equal(d.match, false);
    assert.equal(decide(evidence({ venueNames: null, metres: null, title: 0.85 }), o).match, true);
  });

  it('gives all-day listings a start of 1 (both) or 0.6 (against a timed one)', () => {
    assert.equal(decide(evidence({ time: { level: 'both-all-day', deltaMinutes: null } }), o).start, 1);
    assert.equal(decide(evidence({ time: { level: 'all-day-vs-timed', deltaMinutes: null } }), o).start, 0.6);
  });
});

describe('scorePair', () => {
  it('explains a match with title, venue, distance and start reasons', () => {
    const r = scorePair(
      event('ticketmaster', 't1', { title: 'Jazz Night' }),
      event('eventbrite', 'e1', { title: 'Jazz Night w/ Trio', venue: { latitude: FILLMORE.lat + 0.0003 } }),
    );
    assert.equal(r.match, true);
    assert.ok(r.reasons.some((s) => /^title 0\.\d\d \("jazz night" ~ "jazz night trio"\)$/.test(s)), r.reasons.join('; '));
    assert.ok(r.reasons.some((s) => s.startsWith('venue 1.00')), r.reasons.join('; '));
    assert.ok(r.reasons.some((s) => /^distance 3\d m$/.test(s)), r.reasons.join('; '));
    assert.ok(r.reasons.includes('start Δ 0 min'));
  });

  it('allows an all-day listing against a timed one on the same local day, with less weight', () => {
    const timed = event('ticketmaster', 't1');
    const allDay = event('ics', 'i1', { allDay: true, startsAt: new Date('2026-05-01T07:00:00Z') });
    const r = scorePair(timed, allDay);
    assert.equal(r.match, true);
    assert.ok(r.reasons.includes('all-day vs timed, same day'));
    assert.ok(r.score < scorePair(timed, event('ics', 'i2')).score);
    const nextDay = event('ics', 'i3', { allDay: true, startsAt: new Date('2026-05-02T07:00:00Z') });
    assert.equal(scorePair(timed, nextDay).match, false);
  });
});
