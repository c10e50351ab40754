/** The event query contract: the same answer for a query string and a library call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventQuerySchema } from '../../src/contracts/event-query.js';
import { parseWith } from '../../src/contracts/parse.js';

const parse = (input: unknown) => parseWith(eventQuerySchema, input, 'query');

describe('event query', () => {
  it('reads numbers from text and keeps instants as the ISO text given', () => {
    assert.deepEqual(parse({ lat: '52.52', lng: '-13.4', radius_km: '10', limit: '50', from: '2025-06-01', to: '2025-06-02T23:00:00Z' }), {
      lat: 52.52,
      lng: -13.4,
      radius_km: 10,
      limit: 50,
      from: '2025-06-01',
      to: '2025-06-02T23:00:00Z',
    });
  });

  it('takes a Date in a library call, as its ISO text', () => {
    assert.deepEqual(parse({ from: new Date('2025-06-01T00:00:00Z') }), { from: '2025-06-01T00:00:00.000Z' });
  });

  it('parses its own output to the same value', () => {
    const once = parse({ lat: '1', lng: '2', q: ' jazz ', category: 'music', cursor: 'abc' });
    assert.deepEqual(parse(once), once);
  });

  it('takes categories in any letter case, one or several, and the other filters as text', () => {
    assert.deepEqual(parse({ category: 'Music' }), { category: ['music'] });
    assert.deepEqual(parse({ category: 'Music, COMEDY' }), { category: ['music', 'comedy'] });
    assert.deepEqual(parse({ category: ['film'] }), { category: ['film'] });
    assert.deepEqual(parse({ free: 'true', status: 'cancelled,scheduled', source: 'ics', city: 'berlin', sort: 'start' }),
      { free: true, status: ['cancelled', 'scheduled'], source: ['ics'], city: 'berlin', sort: 'start' });
    assert.deepEqual(parse({ updated_since: '2026-01-01T00:00:00Z' }), { updated_since: '2026-01-01T00:00:00Z' });
  });

  it('lets a date-only to cover its whole day', () => {
    assert.deepEqual(parse({ from: '2026-12-20T10:00:00Z', to: '2026-12-20' }), { from: '2026-12-20T10:00:00Z', to: '2026-12-20' });
  });

  it('keeps the IANA zone given for tz, and refuses abbreviations naming the field', () => {
    assert.deepEqual(parse({ tz: 'Asia/Kolkata' }), { tz: 'Asia/Kolkata' });
    assert.deepEqual(parse({ tz: 'europe/vienna' }), { tz: 'Europe/Vienna' });
    assert.throws(() => parse({ tz: 'EST' }), /^ValidationError: invalid query: tz: must be an IANA time zone/);
    assert.throws(() => parse({ tz: 'CET' }), /tz: must be an IANA time zone/);
  });

  for (const [what, input, message] of [
    ['a radius under 100 m', { lat: 1, lng: 1, radius_km: 0.05 }, /radius_km: must be at least 0.1/],
    ['a radius over 500 km', { lat: 1, lng: 1, radius_km: '501' }, /radius_km: must be at most 500/],
    ['a number in another notation', { lat: '1e1', lng: '0' }, /lat: must be a number/],
    ['a category not in the list', { category: 'opera' }, /category: must be one of music, sports/],
    ['a local time without offset', { from: '2025-06-01T18:00:00' }, /from: must be an ISO 8601/],
    ['from after to', { from: '2025-06-03', to: '2025-06-01' }, /from: must not be after to/],
    ['lat alone', { lat: 52 }, /lng: lat and lng must be given together/],
    ['an unknown field', { colour: 'red' }, /colour: unknown field/],
    ['one bad category among several', { category: 'music,opera' }, /^ValidationError: invalid query: category: must be one of music/],
    ['a free flag that is not one', { free: 'maybe' }, /free: must be true or false/],
    ['text of punctuation alone', { q: '%' }, /^ValidationError: invalid query: q: must hold a letter or a digit/],
    ['sorting by distance without a point', { sort: 'distance' }, /sort: distance needs lat and lng/],
    ['sorting by relevance without text', { sort: 'relevance' }, /sort: relevance needs q/],
    ['a city that is not a slug', { city: 'New York' }, /city: must be a lower-case slug/],
  ] as const) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parse(input), message);
    });
  }
});
