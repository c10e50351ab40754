/** The cities file: the city contract, with paths resolved and errors naming file, city and field. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadCitiesFile } from '../../src/lib/cities.js';
import { ConfigError } from '../../src/lib/errors.js';

function citiesFile(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'scenescout-cities-'));
  mkdirSync(path.join(dir, 'config'));
  const file = path.join(dir, 'config', 'cities.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const town = { id: 'town', name: 'Town', latitude: 1, longitude: 2, timezone: 'utc' };

describe('loadCitiesFile', () => {
  it('loads the shipped file', () => {
    const cities = loadCitiesFile();
    assert.ok(cities.some((c) => c.id === 'demo-city'));
    const demo = cities.find((c) => c.id === 'demo-city')!;
    assert.ok(path.isAbsolute(demo.sources!.ics!.feeds[0]!), 'feeds resolve against the package root');
  });

  it('resolves relative feeds and pages against the folder above the file, and canonicalizes zones', () => {
    const file = citiesFile({ cities: [{ ...town, sources: { ics: { feeds: ['feeds/a.ics', 'https://x.example/b.ics'] }, jsonld: { pages: ['/abs/p.html'] } } }] });
    const [city] = loadCitiesFile(file);
    const root = path.dirname(path.dirname(file));
    assert.deepEqual(city!.sources, { ics: { feeds: [path.join(root, 'feeds/a.ics'), 'https://x.example/b.ics'] }, jsonld: { pages: ['/abs/p.html'] } });
    assert.equal(city!.timezone, 'UTC');
  });

  for (const [what, city, message] of [
    ['organization ids that are not a list', { ...town, sources: { eventbrite: { organizationIds: 5 } } }, /cities\[0\]: sources\.eventbrite\.organizationIds:/],
    ['feeds given as one string', { ...town, sources: { ics: { feeds: 'str' } } }, /cities\[0\]: sources\.ics\.feeds:/],
    ['an unknown source', { ...town, sources: { myspace: {} } }, /sources\.myspace: unknown field/],
    ['an id the API would refuse', { ...town, id: 'Town' }, /cities\[0\]: id:/],
    ['an offset for a zone', { ...town, timezone: '+02:00' }, /cities\[0\]: timezone:/],
  ] as const) {
    it(`refuses ${what} with a ConfigError naming file, city and field`, () => {
      const file = citiesFile({ cities: [city] });
      assert.throws(() => loadCitiesFile(file), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.ok(err.message.startsWith(`SCENESCOUT_CITIES_FILE=${JSON.stringify(file)}: `), err.message);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('refuses a file that is not JSON or has no cities list', () => {
    assert.throws(() => loadCitiesFile(citiesFile('{')), ConfigError);
    assert.throws(() => loadCitiesFile(citiesFile({ towns: [] })), /expected \{"cities": \[\.\.\.\]\}/);
    assert.throws(() => loadCitiesFile(citiesFile('null')), /expected \{"cities": \[\.\.\.\]\}/);
  });
});
