import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchEvidenceSchema } from '../../../../src/contracts/dedupe.js';
import { featuresOf, type Features } from '../../../../src/lib/catalogue/dedupe/features.js';
import { MODEL_FIELDS, levelOf, loadModel, modelFromWeights } from '../../../../src/lib/catalogue/dedupe/model.js';
import { resolveOptions } from '../../../../src/lib/catalogue/dedupe/options.js';
import {
  HARD_RULE_WEIGHT, compareCity, compareGeoDistance, compareSessionMarkers, compareSources, compareSpans, compareTime, compareTitle,
  compareVenueNames, scoreFeatures, scorePair,
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

  it('session markers: none, on one side, the same, compatible, conflicting', () => {
    assert.equal(compareSessionMarkers(tm, features('eventbrite', 'b')), 'none');
    assert.equal(compareSessionMarkers(tm, features('eventbrite', 'b', { title: 'Khruangbin (Early Show)' })), 'one-side');
    const early = features('ticketmaster', 'e', { title: 'Khruangbin (Early Show)' });
    assert.equal(compareSessionMarkers(early, features('eventbrite', 'b', { title: 'Khruangbin - Early Show' })), 'same');
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

  it('venues: names without the venue\'s own city; addresses when a side names none; null when neither compares', () => {
    assert.equal(compareVenueNames(tm, features('eventbrite', 'b', { venue: { name: 'Fillmore SF' } })), 1);
    assert.equal(compareVenueNames(tm, features('yelp', 'y', { venue: { name: null, address: null } })), null);
    assert.equal(compareVenueNames(tm, features('yelp', 'y', { venue: { name: null, address: '1805 Geary Blvd.' } })), 1, 'addresses: "Blvd." is "Blvd"');
    assert.ok(compareVenueNames(tm, features('yelp', 'y', { venue: { name: null, address: '1300 Fillmore St' } }))! < 0.6, 'another address');
    assert.ok(compareVenueNames(tm, features('jsonld', 'r', { venue: { name: 'Sheba Piano Lounge', address: '1805 Geary Blvd' } }))! < 0.3,
      'names decide when both have one: two rooms of one building share an address');
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

describe('the model\'s decision', () => {
  // A small hand-written weights file: every weight is easy to work out by hand.
  const weights = {
    version: 'test-1',
    toleranceMinutes: 120,
    prior: 0.2, // log2 odds −2
    thresholds: { match: 0.8, review: 0.2 },
    fields: {
      title: [
        { level: 'exact', atLeast: 0.999, m: 0.8, u: 0.1 },
        { level: 'fuzzy-0.7', atLeast: 0.7, m: 0.15, u: 0.15 },
        { level: 'different', m: 0.05, u: 0.75 },
      ],
      venue: [{ level: 'same', atLeast: 0.9, m: 0.8, u: 0.2 }, { level: 'different', m: 0.2, u: 0.8 }, { level: 'missing', m: null, u: null }],
      geo: [{ level: 'within-100m', atMost: 100, m: 0.8, u: 0.1 }, { level: 'farther', m: 0.2, u: 0.9 }, { level: 'missing', m: null, u: null }],
      time: [
        { level: 'within-10min', atMost: 10, m: 0.5, u: 0.25 },
        { level: 'within-tolerance', m: 0.3, u: 0.3 },
        { level: 'both-all-day', m: 0.1, u: 0.1 },
        { level: 'all-day-vs-timed', m: 0.1, u: 0.2 },
        { level: 'beyond-tolerance', m: 0.01, u: 0.15 },
      ],
      markers: [{ level: 'none', m: 0.9, u: 0.9 }, { level: 'one-side', m: 0.05, u: 0.05 }, { level: 'compatible', m: 0.05, u: 0.05 }],
      city: [{ level: 'same', m: 0.9, u: 0.45 }, { level: 'different', m: 0.1, u: 0.55 }, { level: 'unknown', m: null, u: null }],
    },
  };
  const model = modelFromWeights(weights);
  const o = resolveOptions({ model });
  const a = features('ticketmaster', 'a');

  it('weighs each level log2(m/u), a missing value 0, and picks numeric levels by their bounds', () => {
    assert.equal(model.priorScore, -2);
    assert.equal(levelOf(model, 'title', 1).weight, 3);
    assert.equal(levelOf(model, 'title', 0.75).level, 'fuzzy-0.7');
    assert.equal(levelOf(model, 'title', 0.75).weight, 0);
    assert.equal(levelOf(model, 'title', 0.2).level, 'different');
    assert.equal(levelOf(model, 'geo', 40).level, 'within-100m');
    assert.equal(levelOf(model, 'geo', 400).level, 'farther');
    assert.equal(levelOf(model, 'geo', null).weight, 0);
    assert.equal(levelOf(model, 'time', 'all-day-vs-timed').weight, -1);
  });

  it('adds the prior and the field weights, and reads the probability against the thresholds', () => {
    // title exact +3, venue same +2, geo within-100m +3, time within-10min +1, markers none 0, city same +1: −2 + 10 = 8 bits.
    const same = scoreFeatures(a, features('eventbrite', 'b'), o, true);
    assert.deepEqual(same.evidence.fields.map((f) => [f.field, f.level, f.weight]), [
      ['title', 'exact', 3], ['venue', 'same', 2], ['geo', 'within-100m', 3], ['time', 'within-10min', 1], ['markers', 'none', 0], ['city', 'same', 1],
    ]);
    assert.equal(same.evidence.score, 8);
    assert.equal(same.evidence.probability, 256 / 257);
    assert.equal(same.evidence.decision, 'match');
    assert.equal(same.evidence.model, 'test-1');
    assert.equal(same.match, true);
    assert.equal(same.score, same.evidence.probability);
    assert.ok(matchEvidenceSchema.safeParse(same.evidence).success);
    assert.ok(same.reasons.some((r) => /^title exact \+3\.00 \(1\.00: "khruangbin" ~ "khruangbin"\)$/.test(r)), same.reasons.join('; '));
    assert.match(same.reasons.at(-1)!, /^score 8\.00 bits, probability 0\.996 ≥ match 0\.80: match$/);

    // Another title, no coordinates, venue named differently: −2 −3.91 +0 −2 +1 +0 +1 ≈ −5.9 bits: distinct.
    const other = scoreFeatures(a, features('eventbrite', 'c', { title: 'Trivia Night', venue: { name: 'Sheba Lounge', latitude: null, longitude: null } }), o, false);
    assert.equal(other.evidence.decision, 'distinct');
    assert.equal(other.match, false);
    assert.deepEqual(other.reasons, []);

    // The same title at a venue named differently, no coordinates, 30 min apart: −2 +3 −2 +0 +0 +0 +1 = 0 bits, p 0.5: review.
    const unsure = scoreFeatures(a, features('eventbrite', 'd', { startsAt: new Date(EIGHT_PM + minutes(30)), venue: { name: 'Sheba Lounge', latitude: null, longitude: null } }), o, true);
    assert.equal(unsure.evidence.score, 0);
    assert.equal(unsure.evidence.decision, 'review');
    assert.equal(unsure.match, false);
    assert.match(unsure.reasons.at(-1)!, /in review band 0\.20–0\.80: review$/);
  });

  it('rules a pair out before weighing it: the start beyond the file\'s tolerance', () => {
    const r = scoreFeatures(a, features('eventbrite', 'b', { startsAt: new Date(EIGHT_PM + minutes(121)) }), o, true);
    assert.equal(r.evidence.decision, 'distinct');
    assert.deepEqual(r.evidence.fields, [{ field: 'time', level: 'beyond-tolerance', weight: HARD_RULE_WEIGHT }]);
    assert.match(r.reasons[0]!, /start Δ 121 min > 120 min tolerance/);
    assert.ok(matchEvidenceSchema.safeParse(r.evidence).success);
  });

  it('calls a multi-day listing and a show inside it parent and child, never a match', () => {
    const festival = features('jsonld', 'fest', {
      title: 'Khruangbin Weekender', allDay: true, startsAt: new Date('2026-05-01T07:00:00Z'), endsAt: new Date('2026-05-04T07:00:00Z'),
    });
    const show = features('ticketmaster', 'show', { title: 'Khruangbin Weekender' });
    assert.equal(compareSpans(festival, show), 'a-holds-b');
    assert.equal(compareSpans(show, festival), 'b-holds-a');
    const r = scoreFeatures(show, festival, o, true);
    assert.equal(r.evidence.decision, 'parent');
    assert.equal(r.match, false);
    assert.match(r.reasons[0]!, /^parent and child: jsonld:fest spans more than a day and holds ticketmaster:show$/);
    // Two listings of the whole festival are not parent and child, nor is a first-day-only listing without an end.
    const alsoFestival = features('yelp', 'y', { title: 'Khruangbin Weekender', startsAt: new Date('2026-05-01T19:00:00Z'), endsAt: new Date('2026-05-04T05:00:00Z') });
    assert.equal(compareSpans(festival, alsoFestival), null);
    const firstDay = features('ics', 'i', { title: 'Khruangbin Weekender', allDay: true, startsAt: new Date('2026-05-01T07:00:00Z') });
    assert.equal(compareSpans(festival, firstDay), null);
  });

  it('refuses a weights file with a bad field, naming it', () => {
    assert.throws(() => modelFromWeights({ ...weights, prior: 1.5 }), /invalid field prior/);
    assert.throws(() => modelFromWeights({ ...weights, thresholds: { match: 0.2, review: 0.8 } }), /thresholds.*review must not exceed match/);
    const noFallback = { ...weights, fields: { ...weights.fields, geo: [{ level: 'within-100m', atMost: 100, m: 0.8, u: 0.1 }] } };
    assert.throws(() => levelOf(modelFromWeights(noFallback), 'geo', 500), /field geo has no level for 500/);
  });

  it('loads the committed weights file', () => {
    const committed = loadModel();
    assert.match(committed.version, /\S/);
    for (const field of MODEL_FIELDS) assert.ok(committed.levels[field].length > 0, field);
    assert.ok(committed.thresholds.review <= committed.thresholds.match);
  });
});

describe('scorePair', () => {
  it('explains a match with title, venue, distance and start reasons', () => {
    const r = scorePair(
      event('ticketmaster', 't1', { title: 'Jazz Night' }),
      event('eventbrite', 'e1', { title: 'Jazz Night w/ Trio', venue: { latitude: FILLMORE.lat + 0.0003 } }),
    );
    assert.equal(r.match, true);
    assert.ok(r.reasons.some((s) => /^title \S+ [+-]\d+\.\d\d \(0\.\d\d: "jazz night" ~ "jazz night trio"\)$/.test(s)), r.reasons.join('; '));
    assert.ok(r.reasons.some((s) => /^venue exact \+\d+\.\d\d \(1\.00: "fillmore" ~ "fillmore"\)$/.test(s)), r.reasons.join('; '));
    assert.ok(r.reasons.some((s) => /^geo \S+ [+-]\d+\.\d\d \(3\d m\)$/.test(s)), r.reasons.join('; '));
    assert.ok(r.reasons.some((s) => /^time \S+ [+-]\d+\.\d\d \(start Δ 0 min\)$/.test(s)), r.reasons.join('; '));
  });

  it('compares street addresses when a side names no venue (Yelp)', () => {
    const yelp = event('yelp', 'y1', { venue: { name: null, address: '1805 Geary Boulevard', latitude: FILLMORE.lat + 0.001 } });
    const r = scorePair(event('ticketmaster', 't1'), yelp);
    assert.ok(r.reasons.some((s) => s.startsWith('venue ') && s.includes('"1805 geary boulevard" ~ "1805 geary boulevard" (addresses)')), r.reasons.join('; '));
    assert.equal(r.match, true);
  });

  it('allows an all-day listing against a timed one on the same local day', () => {
    const timed = event('ticketmaster', 't1');
    const allDay = event('ics', 'i1', { allDay: true, startsAt: new Date('2026-05-01T07:00:00Z') });
    const r = scorePair(timed, allDay);
    assert.equal(r.match, true);
    assert.ok(r.reasons.some((s) => s.startsWith('time all-day-vs-timed ')), r.reasons.join('; '));
    const nextDay = event('ics', 'i3', { allDay: true, startsAt: new Date('2026-05-02T07:00:00Z') });
    assert.equal(scorePair(timed, nextDay).match, false);
  });
});
