import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countLevels, estimateWeights, type LabeledEvent } from '../../../../src/lib/catalogue/dedupe/estimate.js';
import { modelFromWeights, type WeightsFile } from '../../../../src/lib/catalogue/dedupe/model.js';
import { EIGHT_PM, event, minutes } from './listings.js';

const template: WeightsFile = {
  version: 'template',
  toleranceMinutes: 120,
  prior: 0.1,
  thresholds: { match: 0.8, review: 0.2 },
  fields: {
    title: [{ level: 'exact', atLeast: 0.999, m: 0.5, u: 0.5 }, { level: 'different', m: 0.5, u: 0.5 }],
    venue: [{ level: 'same', atLeast: 0.9, m: 0.5, u: 0.5 }, { level: 'different', m: 0.5, u: 0.5 }, { level: 'missing', m: null, u: null }],
    geo: [{ level: 'near', atMost: 100, m: 0.5, u: 0.5 }, { level: 'far', m: 0.5, u: 0.5 }, { level: 'missing', m: null, u: null }],
    time: [
      { level: 'close', atMost: 10, m: 0.3, u: 0.3 }, { level: 'within-tolerance', m: 0.3, u: 0.3 },
      { level: 'both-all-day', m: 0.1, u: 0.1 }, { level: 'all-day-vs-timed', m: 0.1, u: 0.1 }, { level: 'beyond-tolerance', m: 0.2, u: 0.2 },
    ],
    markers: [{ level: 'none', m: 0.9, u: 0.9 }, { level: 'one-side', m: 0.05, u: 0.05 }, { level: 'same', m: 0.03, u: 0.03 }, { level: 'compatible', m: 0.02, u: 0.02 }],
    city: [{ level: 'same', m: 0.9, u: 0.1 }, { level: 'different', m: 0.1, u: 0.9 }, { level: 'unknown', m: null, u: null }],
  },
};

const labeled = (label: string, ...args: Parameters<typeof event>): LabeledEvent => ({ ...event(...args), label, cityId: 'sf' });

describe('estimateWeights', () => {
  // One concert listed by three sources (3 true pairs), and a trivia night by two sources at
  // another venue 3 h later (1 true pair); 4 + ... different-event pairs across them.
  const events = [
    labeled('concert', 'ticketmaster', 't1'),
    labeled('concert', 'eventbrite', 'e1'),
    labeled('concert', 'jsonld', 'j1', { venue: { latitude: null, longitude: null } }),
    labeled('trivia', 'yelp', 'y1', { title: 'Trivia Night', startsAt: new Date(EIGHT_PM + minutes(180)), venue: { name: 'Sheba Lounge', latitude: 37.7842 } }),
    labeled('trivia', 'ics', 'i1', { title: 'Trivia Night', startsAt: new Date(EIGHT_PM + minutes(180)), venue: { name: 'Sheba Lounge', latitude: null, longitude: null } }),
    // another city's listing never pairs with these
    { ...labeled('elsewhere', 'ics', 'i2'), cityId: 'nyc' },
  ];

  it('counts every two-source pair of one city by level, true duplicates apart from different events', () => {
    const c = countLevels(events, template);
    assert.equal(c.pairs, 10);
    assert.equal(c.matches, 4);
    assert.deepEqual(c.counts.title, { exact: [4, 0], different: [0, 6] });
    assert.deepEqual(c.counts.time, { close: [4, 0], 'within-tolerance': [0, 0], 'both-all-day': [0, 0], 'all-day-vs-timed': [0, 0], 'beyond-tolerance': [0, 6] });
    // Only t1/e1 and y1 with them have coordinates on both sides; the rest fall in missing (weight 0, left out of m and u).
    assert.deepEqual(c.counts.geo.missing, [3, 4]);
    assert.equal(c.counts.geo.near![0] + c.counts.geo.far![0], 1);
  });

  it('turns the counts into smoothed m and u, the prior into the share of true duplicates, and keeps the rest', () => {
    const { weights } = estimateWeights(events, template, { version: 'test-2' });
    assert.equal(weights.version, 'test-2');
    assert.equal(weights.prior, 0.4);
    const title = weights.fields.title;
    // m(exact) = (4 + 1) / (4 + 2), u(exact) = (0 + 1) / (6 + 2)
    assert.equal(title[0]!.m, Number((5 / 6).toPrecision(4)));
    assert.equal(title[0]!.u, 0.125);
    assert.deepEqual(weights.fields.venue.at(-1), { level: 'missing', m: null, u: null });
    // a level no pair fell in weighs 0
    const model = modelFromWeights(weights);
    assert.equal(model.levels.time.find((l) => l.level === 'both-all-day')!.weight, 0);
    assert.ok(model.levels.title[0]!.weight > 2);
    assert.deepEqual(weights.thresholds, template.thresholds);
    assert.equal(weights.toleranceMinutes, 120);
  });

  it('refuses to estimate without both kinds of pairs', () => {
    assert.throws(() => estimateWeights(events.slice(0, 3), template, { version: 'x' }), /need both true duplicates and different events/);
  });
});
