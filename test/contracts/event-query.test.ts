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

  for (const [what, input, message] of [
    ['a radius under 100 m', { lat: 1, lng: 1, radius_km: 0.05 }, /radius_km: must be at least 0.1/],
    ['a radius over 500 km', { lat: 1, lng: 1, radius_km: '501' }, /radius_km: must be at most 500/],
    ['a number in another notation', { lat: '1e1', lng: '0' }, /lat: must be a number/],
    ['a category not in the list', { category: 'opera' }, /category: must be one of music, sports/],
    ['a local time without offset', { from: '2025-06-01T18:00:00' }, /from: must be an ISO 8601/],
    ['from after to', { from: '2025-06-03', to: '2025-06-01' }, /from: must not be after to/],
    ['lat alone', { lat: 52 }, /lng: lat and lng must be given together/],
    ['an unknown field', { colour: 'red' }, /colour: unknown field/],
  ] as const) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parse(input), message);
    });
  }
});
