/** The city contract: one rule for the HTTP API, the CLI and the cities file. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cityInputSchema, cityPatchSchema, isValidTimeZone, parseCityInput } from '../../src/contracts/cities.js';
import { ValidationError } from '../../src/lib/errors.js';

const berlin = { id: 'berlin', name: 'Berlin', latitude: 52.52, longitude: 13.405, timezone: 'Europe/Berlin' };

function rejects(input: unknown, message: RegExp): void {
  assert.throws(() => parseCityInput(input), (err: unknown) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.match(err.message, message);
    return true;
  });
}

describe('city input', () => {
  it('accepts a city and canonicalizes its time zone and name', () => {
    const city = parseCityInput({ ...berlin, name: '  Berlin ', timezone: 'europe/berlin', radiusM: 30_000, sources: { ics: { feeds: ['a.ics'] } } });
    assert.deepEqual(city, { ...berlin, radiusM: 30_000, sources: { ics: { feeds: ['a.ics'] } } });
  });

  it('takes slugs with hyphens and underscores as ids, nothing else', () => {
    assert.equal(parseCityInput({ ...berlin, id: 'new-york_2' }).id, 'new-york_2');
    rejects({ ...berlin, id: 'Berlin' }, /^invalid city: id: must be a lower-case slug/);
    rejects({ ...berlin, id: '-berlin' }, /id:/);
    rejects({ ...berlin, id: 'a'.repeat(65) }, /id:/);
  });

  it('keeps the radius between 100 m and 500 km, in whole metres', () => {
    for (const radiusM of [100, 500_000]) assert.equal(parseCityInput({ ...berlin, radiusM }).radiusM, radiusM);
    for (const radiusM of [0, 99, 500_001, 1000.5, '5km']) rejects({ ...berlin, radiusM }, /radiusM:/);
  });

  it('wants an IANA zone, not an offset or a made-up name', () => {
    assert.equal(isValidTimeZone('UTC'), true);
    assert.equal(isValidTimeZone('+01:00'), false);
    rejects({ ...berlin, timezone: 'Mars/Olympus_Mons' }, /^invalid city: timezone: must be an IANA time zone/);
  });

  it('keeps the canonical zone name given, and refuses ambiguous abbreviations', () => {
    // ICU knows Kolkata as Calcutta, its old name; the name given is the one stored.
    assert.equal(parseCityInput({ ...berlin, timezone: 'Asia/Kolkata' }).timezone, 'Asia/Kolkata');
    assert.equal(parseCityInput({ ...berlin, timezone: 'europe/berlin' }).timezone, 'Europe/Berlin');
    assert.equal(parseCityInput({ ...berlin, timezone: 'UTC' }).timezone, 'UTC');
    // EST was stored as America/Panama (no daylight saving): refused, naming the field.
    for (const timezone of ['EST', 'PST8PDT', 'CET', 'GMT']) {
      rejects({ ...berlin, timezone }, /^invalid city: timezone: must be an IANA time zone .*abbreviations such as EST are ambiguous/);
    }
  });

  it('checks per-source settings strictly', () => {
    rejects({ ...berlin, sources: { eventbrite: { organizationIds: 5 } } }, /sources\.eventbrite\.organizationIds:/);
    rejects({ ...berlin, sources: { ics: { feeds: 'https://example.com/a.ics' } } }, /sources\.ics\.feeds:/);
    rejects({ ...berlin, sources: { ics: { feeds: [''] } } }, /sources\.ics\.feeds\.0:/);
    rejects({ ...berlin, sources: { myspace: {} } }, /sources\.myspace: unknown field/);
    rejects({ ...berlin, sources: { yelp: { enabled: true, extra: 1 } } }, /sources\.yelp\.extra: unknown field/);
    rejects({ ...berlin, colour: 'red' }, /colour: unknown field/);
  });

  it('names every bad field at once', () => {
    rejects({ ...berlin, latitude: 91, longitude: 'east' }, /latitude: .*; longitude: /);
  });
});

describe('city patch', () => {
  it('takes any subset of fields, but at least one', () => {
    assert.deepEqual(cityPatchSchema.parse({ priority: 9 }), { priority: 9 });
    assert.equal(cityPatchSchema.safeParse({}).success, false);
    assert.equal(cityPatchSchema.safeParse({ timezone: 'Nowhere/City' }).success, false);
    assert.equal(cityPatchSchema.safeParse({ sources: { ics: { feeds: 'x' } } }).success, false);
  });

  it('is the input schema made partial', () => {
    const fields = Object.keys(cityInputSchema.shape).sort();
    assert.deepEqual(Object.keys(cityPatchSchema.shape).sort(), fields);
  });
});
