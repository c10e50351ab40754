import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { JsonLdClient, eventStatusOf, offersOf, placeOf, typesOf, type JsonLdEvent } from '../../../src/lib/api/jsonld-client.js';
import { captureLogger, fixture } from './helpers.js';
import { DocumentMockServer } from './servers/documents.js';

const march2027 = { start: '2027-03-01T00:00:00Z', end: '2027-03-31T23:59:59Z' };
const nowhere = { latitude: 52.52, longitude: 13.405, radius: 10_000 };

async function search(pages: string[], client = new JsonLdClient()) {
  const events = await client.searchEvents({ location: nowhere, dateRange: march2027, pages });
  return { client, events, byName: new Map(events.map((e) => [e.name, e])) };
}

describe('JsonLdClient', () => {
  it('finds events in arrays, @graph, ItemLists and subEvents, of any Event subtype', async () => {
    const { events } = await search([fixture('jsonld-page.html')]);
    assert.deepEqual(
      events.map((e) => [e.name, typesOf(e).join(',')]),
      [
        ['String Quartet Evening', 'MusicEvent'],
        ['The Tempest', 'TheaterEvent'],
        ['Demo City FC vs. Example United', 'SportsEvent'],
        ['Film club: Metropolis', 'ScreeningEvent'],
        ['Stand-up night', 'ComedyEvent'],
        ['Spring Festival', 'Festival'],
        ['Festival opening dance', 'DanceEvent'],
      ],
    );
  });

  it('reports the broken script and the event without a date, and filters by date range', async () => {
    const log = captureLogger();
    const { client, byName } = await search([fixture('jsonld-page.html')], new JsonLdClient({ logger: log.logger }));
    const reasons = client.stats.skipped.map((s) => s.reason);
    assert.equal(reasons.length, 2, reasons.join('\n'));
    assert.match(reasons[0], /invalid JSON in JSON-LD script #3 of .*jsonld-page\.html/);
    assert.match(reasons[1], /startDate/);
    assert.ok(!byName.has("Last year's party"), 'outside the range');
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 2);
  });

  it('returns the objects as written, with @sourcePage and resolved @id references', async () => {
    const { byName } = await search([fixture('jsonld-page.html')]);
    const quartet = byName.get('String Quartet Evening')!;
    assert.equal(quartet['@sourcePage'], fixture('jsonld-page.html'));
    assert.equal(quartet['x-house-code'], 'SQ-27', 'unknown fields pass through');
    assert.equal(quartet.startDate, '2027-03-05T19:30:00+01:00');

    const festival = byName.get('Spring Festival')!;
    assert.equal((festival.location as { name: string }).name, 'Kulturhaus Demo City', 'location {"@id"} resolved from the graph');
    const dance = byName.get('Festival opening dance')!;
    assert.equal((dance.location as { name: string }).name, 'Kulturhaus Demo City');
  });

  it('reads eventStatus as a URL or a bare name', async () => {
    const { byName } = await search([fixture('jsonld-page.html')]);
    assert.equal(eventStatusOf(byName.get('String Quartet Evening')!), 'EventScheduled');
    assert.equal(eventStatusOf(byName.get('Stand-up night')!), 'EventCancelled');
    assert.equal(eventStatusOf(byName.get('The Tempest')!), null);
    assert.equal(eventStatusOf({ eventStatus: { '@id': 'http://schema.org/EventPostponed' } }), 'EventPostponed');
  });

  it('reads offers as one object or an array', async () => {
    const { byName } = await search([fixture('jsonld-page.html')]);
    assert.deepEqual(offersOf(byName.get('String Quartet Evening')!), [
      { price: 24, priceCurrency: 'EUR', url: 'https://kulturhaus.demo.test/tickets/quartet', availability: 'InStock' },
      { price: 12, priceCurrency: 'EUR', url: null, availability: 'SoldOut' },
    ]);
    assert.deepEqual(offersOf(byName.get('The Tempest')!), [{ price: 18, priceCurrency: 'EUR', url: null, availability: null }]);
    assert.deepEqual(offersOf(byName.get('Stand-up night')!), []);
  });

  it('reads a Place with geo and a PostalAddress or string address, or a plain string location', async () => {
    const { byName } = await search([fixture('jsonld-page.html')]);
    assert.deepEqual(placeOf(byName.get('String Quartet Evening')!), {
      name: 'Kulturhaus Demo City',
      address: 'Marktplatz 5, 10115 Demo City, DE',
      latitude: 52.5208,
      longitude: 13.4094,
    });
    assert.deepEqual(placeOf(byName.get('Spring Festival')!), {
      name: 'Kulturhaus Demo City',
      address: 'Marktplatz 5, 10115 Demo City',
      latitude: 52.5208,
      longitude: 13.4094,
    });
    assert.deepEqual(placeOf(byName.get('The Tempest')!), { name: 'Kulturhaus Demo City, Marktplatz 5, Demo City', address: null, latitude: null, longitude: null });
  });

  it('derives external ids from @id, then url, then a content hash', async () => {
    const { client, byName } = await search([fixture('jsonld-page.html')]);
    assert.equal(client.externalId(byName.get('String Quartet Evening')!), 'https://kulturhaus.demo.test/events/string-quartet#event');
    assert.equal(client.externalId(byName.get('The Tempest')!), 'https://kulturhaus.demo.test/events/tempest');
    const standup = client.externalId(byName.get('Stand-up night')!);
    assert.match(standup, /^sha1:[0-9a-f]{40}$/);
    assert.equal(client.externalId({ ...byName.get('Stand-up night')!, '@sourcePage': 'elsewhere' } as JsonLdEvent), standup, 'stable across pages');
    const relative = { '@type': 'Event', '@id': '#e1', name: 'x', startDate: '2027-03-01', '@sourcePage': 'https://venue.demo.test/programme' } as JsonLdEvent;
    assert.equal(client.externalId(relative), 'https://venue.demo.test/programme#e1');
  });

  it('reads pages over HTTP like files, and bare .jsonld documents', async () => {
    const server = await new DocumentMockServer('jsonld').start();
    try {
      const html = await readFile(fixture('jsonld-page.html'), 'utf8');
      server.files.set('programme.html', { body: html, type: 'text/html' });
      server.files.set('events.jsonld', {
        body: JSON.stringify({ '@context': 'https://schema.org', '@type': 'MusicEvent', name: 'Bare document', startDate: '2027-03-02T20:00:00Z' }),
        type: 'application/ld+json',
      });
      const overHttp = await search([`${server.baseUrl}/files/programme.html`], new JsonLdClient({ allowPrivateUrls: true }));
      const fromFile = await search([fixture('jsonld-page.html')]);
      const strip = (events: JsonLdEvent[]) => events.map((e) => ({ ...e, '@sourcePage': '' }));
      assert.deepEqual(strip(overHttp.events), strip(fromFile.events));
      assert.equal(overHttp.events[0]['@sourcePage'], `${server.baseUrl}/files/programme.html`);
      const bare = await search([`${server.baseUrl}/files/events.jsonld`], new JsonLdClient({ allowPrivateUrls: true }));
      assert.deepEqual(bare.events.map((e) => e.name), ['Bare document']);
    } finally {
      await server.close();
    }
  });

  it('deduplicates the same event found on two pages', async () => {
    const { events } = await search([fixture('jsonld-page.html'), fixture('jsonld-page.html')]);
    assert.equal(events.length, 7);
  });
});
