import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IcsClient } from '../../../src/lib/api/ics-client.js';
import { JsonLdClient, eventStatusOf, offersOf, placeOf } from '../../../src/lib/api/jsonld-client.js';
import { repoPath } from './helpers.js';

const ICS = repoPath('examples', 'demo-city.ics');
const HTML = repoPath('examples', 'demo-city.html');
const anywhere = { latitude: 52.52, longitude: 13.405, radius: 10_000 };
const winter2027 = { start: '2027-01-01T00:00:00Z', end: '2027-03-31T23:59:59Z' };

describe('examples/demo-city', () => {
  it('the feed has events in the next 90 days, whenever the demo runs', async () => {
    const client = new IcsClient();
    const start = new Date();
    const events = await client.searchEvents({ location: anywhere, dateRange: { start, end: new Date(start.getTime() + 90 * 86_400_000) }, feeds: [ICS] });
    assert.ok(events.length >= 10, `${events.length} events`);
    assert.deepEqual(client.stats.skipped, []);
  });

  it('the feed covers recurrence, EXDATE, a cancelled occurrence, all-day events and GEO', async () => {
    const client = new IcsClient();
    const events = await client.searchEvents({ location: anywhere, dateRange: { start: '2026-12-01T00:00:00Z', end: '2027-03-31T23:59:59Z' }, feeds: [ICS] });
    const openStage = events.filter((e) => e.uid.startsWith('open-stage@')).map((e) => e.start.local.slice(0, 10));
    assert.ok(openStage.includes('2026-12-16') && !openStage.includes('2026-12-23') && !openStage.includes('2026-12-30'));
    const newYear = events.find((e) => e.uid.startsWith('jazz-night@') && e.start.local.startsWith('2027-01-01'));
    assert.equal(newYear?.status, 'CANCELLED');
    assert.ok(events.some((e) => e.start.allDay && e.recurring), 'a recurring all-day event');
    assert.deepEqual(events.find((e) => e.uid.startsWith('jazz-night@'))?.geo, { lat: 52.5208, lon: 13.4094 });
  });

  it('the page has JSON-LD events from 2026-12 through 2029-12', async () => {
    const client = new JsonLdClient();
    const all = await client.searchEvents({ location: anywhere, dateRange: { start: '2026-01-01T00:00:00Z', end: '2030-12-31T00:00:00Z' }, pages: [HTML] });
    assert.deepEqual(client.stats.skipped, []);
    assert.equal(all.filter((e) => e.name === 'Kulturhaus Jazz Night').length, 37);
    assert.equal(all[0].startDate.slice(0, 7), '2026-12');
    assert.equal(all.at(-1)!.startDate.slice(0, 7), '2029-12');
    const midsummer = all.find((e) => e['@type'] === 'TheaterEvent')!;
    assert.equal(offersOf(midsummer).length, 2);
    assert.equal(placeOf(midsummer)?.latitude, 52.5163);
    assert.ok(all.some((e) => e['@type'] === 'Festival'));
  });

  it('the same concert appears in both files: same title, venue and start', async () => {
    const ics = await new IcsClient().searchEvents({ location: anywhere, dateRange: winter2027, feeds: [ICS] });
    const ld = await new JsonLdClient().searchEvents({ location: anywhere, dateRange: winter2027, pages: [HTML] });
    const fromIcs = ics.filter((e) => e.summary === 'Kulturhaus Jazz Night');
    const fromLd = ld.filter((e) => e.name === 'Kulturhaus Jazz Night' && eventStatusOf(e) === 'EventScheduled');
    assert.ok(fromIcs.length >= 2);
    assert.deepEqual(
      fromIcs.map((e) => e.start.utc),
      fromLd.map((e) => new Date(e.startDate).toISOString()),
    );
    for (const e of fromIcs) assert.ok(e.location?.startsWith(placeOf(fromLd[0])!.name!));
    // The New Year's Day session is cancelled in both.
    assert.ok(ics.some((e) => e.start.local === '2027-01-01T20:00:00' && e.status === 'CANCELLED'));
    assert.ok(ld.some((e) => e.startDate.startsWith('2027-01-01') && eventStatusOf(e) === 'EventCancelled'));
  });
});
