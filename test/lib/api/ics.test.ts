import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { IcsClient, type IcsEvent } from '../../../src/lib/api/ics-client.js';
import { ProviderError } from '../../../src/lib/errors.js';
import type { SearchParams } from '../../../src/lib/api/types.js';
import { captureLogger, fixture } from './helpers.js';
import { DocumentMockServer } from './servers/documents.js';

const nowhere = { latitude: 52.52, longitude: 13.405, radius: 10_000 };
const spring: SearchParams['dateRange'] = { start: '2026-03-01T00:00:00Z', end: '2026-04-30T23:59:59Z' };

async function search(feeds: string[], dateRange = spring, client = new IcsClient()) {
  const events = await client.searchEvents({ location: nowhere, dateRange, feeds });
  return { client, events, byId: new Map(events.map((e) => [client.externalId(e), e])) };
}

function occurrences(events: IcsEvent[], uid: string): IcsEvent[] {
  return events.filter((e) => e.uid === uid);
}

describe('IcsClient', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'scenescout-ics-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('keeps 20:00 Europe/Berlin across the spring DST change (VTIMEZONE)', async () => {
    const { events } = await search([fixture('berlin-dst.ics')]);
    const jam = occurrences(events, 'weekly-jam@scenescout.test').filter((e) => e.summary === 'Weekly jam');
    assert.deepEqual(
      jam.map((e) => [e.start.local, e.start.utc]),
      [
        ['2026-03-06T20:00:00', '2026-03-06T19:00:00.000Z'],
        ['2026-03-13T20:00:00', '2026-03-13T19:00:00.000Z'],
        ['2026-04-03T20:00:00', '2026-04-03T18:00:00.000Z'],
        ['2026-04-17T20:00:00', '2026-04-17T18:00:00.000Z'],
        ['2026-04-24T20:00:00', '2026-04-24T18:00:00.000Z'],
      ],
    );
    for (const e of jam) {
      assert.equal(e.start.tzid, 'Europe/Berlin');
      assert.equal(e.recurring, true);
      assert.equal(Date.parse(e.end!.utc) - Date.parse(e.start.utc), 2 * 3_600_000);
    }
  });

  it('keeps 20:00 across the autumn DST change', async () => {
    const { events } = await search([fixture('berlin-dst.ics')], { start: '2026-10-20T00:00:00Z', end: '2026-11-01T00:00:00Z' });
    const jam = occurrences(events, 'weekly-jam@scenescout.test');
    assert.deepEqual(
      jam.map((e) => e.start.utc),
      ['2026-10-23T18:00:00.000Z', '2026-10-30T19:00:00.000Z'],
    );
    assert.ok(jam.every((e) => e.start.local.endsWith('T20:00:00')));
  });

  it('drops EXDATE occurrences and applies RECURRENCE-ID overrides', async () => {
    const { events, byId, client } = await search([fixture('berlin-dst.ics')]);
    const jam = occurrences(events, 'weekly-jam@scenescout.test');
    assert.ok(!jam.some((e) => e.start.local.startsWith('2026-03-20')), 'EXDATE 2026-03-20 is gone');

    const cancelled = byId.get('weekly-jam@scenescout.test@2026-03-27T19:00:00.000Z');
    assert.ok(cancelled, 'the cancelled occurrence is still reported, with its status');
    assert.equal(cancelled.status, 'CANCELLED');
    assert.equal(cancelled.summary, 'Weekly jam (cancelled)');

    // Moved one hour later: the id keeps the original start, so it stays stable.
    const moved = byId.get('weekly-jam@scenescout.test@2026-04-10T18:00:00.000Z');
    assert.ok(moved);
    assert.equal(moved.recurrenceId, '2026-04-10T18:00:00.000Z');
    assert.equal(moved.start.local, '2026-04-10T21:00:00');
    assert.equal(moved.start.utc, '2026-04-10T19:00:00.000Z');
    assert.equal(moved.summary, 'Weekly jam (late start)');
    assert.equal(client.externalId(moved), 'weekly-jam@scenescout.test@2026-04-10T18:00:00.000Z');
  });

  it('reads UTC, all-day, DURATION, STATUS:CANCELLED, GEO, categories, URL and X- properties', async () => {
    const { byId, client } = await search([fixture('berlin-dst.ics')]);
    const talk = byId.get('utc-talk@scenescout.test')!;
    assert.deepEqual(talk.start, { utc: '2026-03-15T19:00:00.000Z', tzid: 'UTC', local: '2026-03-15T19:00:00', allDay: false });
    assert.equal(talk.recurrenceId, null);
    assert.equal(talk.url, 'https://demo.scenescout.test/talk');
    assert.equal(client.externalId(talk), 'utc-talk@scenescout.test');

    const market = byId.get('flea-market@scenescout.test')!;
    assert.equal(market.start.allDay, true);
    assert.equal(market.start.local, '2026-03-21');
    assert.equal(market.start.tzid, null);
    assert.equal(market.start.utc, '2026-03-20T23:00:00.000Z', 'midnight in X-WR-TIMEZONE');
    assert.equal(market.end?.local, '2026-03-22', 'an all-day event without DTEND lasts one day');

    const show = byId.get('cancelled-show@scenescout.test')!;
    assert.equal(show.status, 'CANCELLED');
    assert.equal(show.end?.utc, '2026-03-18T20:00:00.000Z', 'DTSTART + DURATION');

    const jam = byId.get('weekly-jam@scenescout.test@2026-03-06T19:00:00.000Z')!;
    assert.deepEqual(jam.geo, { lat: 52.52, lon: 13.405 });
    assert.deepEqual(jam.categories, ['Music', 'Jam session']);
    assert.equal(jam.location, 'Café Hafen, Hafenstraße 3, Demo City');
    assert.equal(jam.x['X-SCENESCOUT-ROOM'], 'Back room');
    assert.equal(jam.status, 'CONFIRMED');
  });

  it('expands monthly BYDAY=-1SA rules', async () => {
    const { events } = await search([fixture('berlin-dst.ics')]);
    assert.deepEqual(
      occurrences(events, 'repair-cafe@scenescout.test').map((e) => e.start.local),
      ['2026-03-28T14:00:00', '2026-04-25T14:00:00'],
    );
  });

  it('unfolds folded lines', async () => {
    const { byId } = await search([fixture('berlin-dst.ics')]);
    assert.equal(
      byId.get('utc-talk@scenescout.test')!.description,
      'A long description that is folded over several lines because iCalendar lines should not be longer than seventy-five octets, so writers fold them.',
    );
  });

  it('gives the same events for CRLF and LF line endings', async () => {
    const lf = (await readFile(fixture('berlin-dst.ics'), 'utf8')).replace(/\r\n/g, '\n');
    const lfPath = join(tmp, 'lf.ics');
    const crlfPath = join(tmp, 'crlf.ics');
    await writeFile(lfPath, lf);
    await writeFile(crlfPath, lf.replace(/\n/g, '\r\n'));
    const a = (await search([lfPath])).events.map((e) => ({ ...e, feed: '' }));
    const b = (await search([crlfPath])).events.map((e) => ({ ...e, feed: '' }));
    assert.ok(a.length > 5);
    assert.deepEqual(b, a);
  });

  it('falls back to the IANA zone when a TZID has no VTIMEZONE; floating times use X-WR-TIMEZONE', async () => {
    const { events, byId } = await search([fixture('no-vtimezone.ics')]);
    assert.deepEqual(
      occurrences(events, 'weekly-jam@scenescout.test').map((e) => e.start.utc),
      ['2026-03-06T19:00:00.000Z', '2026-03-13T19:00:00.000Z', '2026-03-20T19:00:00.000Z', '2026-03-27T19:00:00.000Z', '2026-04-03T18:00:00.000Z', '2026-04-10T18:00:00.000Z'],
      'COUNT=6, 20:00 Berlin on both sides of the DST change',
    );
    assert.equal(byId.get('floating@scenescout.test')!.start.utc, '2026-03-15T16:00:00.000Z', 'noon in New York (EDT)');
    assert.equal(byId.get('floating@scenescout.test')!.start.tzid, null);
    const unknown = byId.get('unknown-zone@scenescout.test')!;
    assert.equal(unknown.start.utc, '2026-03-15T16:00:00.000Z', 'an unknown zone is read as floating');
    assert.equal(unknown.start.tzid, null);
    const mozilla = byId.get('mozilla-zone@scenescout.test')!;
    assert.equal(mozilla.start.utc, '2026-03-15T11:00:00.000Z');
    assert.equal(mozilla.start.tzid, 'Europe/Berlin');
  });

  it('reports VEVENTs it cannot read and keeps the rest of the feed', async () => {
    const log = captureLogger();
    const { events, client } = await search([fixture('broken.ics')], spring, new IcsClient({ logger: log.logger }));
    assert.deepEqual(events.map((e) => e.uid), ['good@scenescout.test', 'good-too@scenescout.test']);
    const reasons = client.stats.skipped.map((s) => `${s.id}: ${s.reason}`).sort();
    assert.equal(reasons.length, 4, reasons.join('\n'));
    assert.match(reasons.join('\n'), /bad-line@scenescout\.test: unparseable VEVENT/);
    assert.match(reasons.join('\n'), /no-start@scenescout\.test: .*missing DTSTART/);
    assert.match(reasons.join('\n'), /garbage-start@scenescout\.test: .*invalid date-time/);
    assert.match(reasons.join('\n'), /VEVENT without UID/);
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 4);
  });

  it('reads feeds over HTTP, from file paths and from file: URLs alike', async () => {
    const server = await new DocumentMockServer('ics').start();
    try {
      server.files.set('berlin.ics', { body: await readFile(fixture('berlin-dst.ics'), 'utf8'), type: 'text/calendar' });
      const overHttp = await search([`${server.baseUrl}/files/berlin.ics`], spring, new IcsClient({ allowPrivateUrls: true }));
      const fromPath = await search([fixture('berlin-dst.ics')]);
      const fromUrl = await search([pathToFileURL(fixture('berlin-dst.ics')).toString()]);
      const strip = (events: IcsEvent[]) => events.map((e) => ({ ...e, feed: '' }));
      assert.deepEqual(strip(overHttp.events), strip(fromPath.events));
      assert.deepEqual(strip(fromUrl.events), strip(fromPath.events));
      assert.equal(overHttp.events[0].feed, `${server.baseUrl}/files/berlin.ics`);
      assert.equal(fromPath.events[0].feed, fixture('berlin-dst.ics'));
      assert.equal(overHttp.client.stats.apiCalls, 1);
      assert.equal(fromPath.client.stats.apiCalls, 0);
    } finally {
      await server.close();
    }
  });

  it('reports a failing feed and keeps the others; fails only when all feeds fail', async () => {
    const { events, client } = await search([fixture('berlin-dst.ics'), join(tmp, 'missing.ics')]);
    assert.ok(events.length > 0);
    assert.equal(client.stats.skipped.length, 1);
    assert.match(client.stats.skipped[0].reason, /could not fetch .*missing\.ics: unreadable file$/);
    await assert.rejects(search([join(tmp, 'missing.ics')]), (err: unknown) => err instanceof ProviderError && !err.retryable && !/ENOENT/.test(err.message));
  });

  it('rejects a document that is not iCalendar', async () => {
    const path = join(tmp, 'page.ics');
    await writeFile(path, '<html><body>Please sign in</body></html>');
    await assert.rejects(search([path]), (err: unknown) => err instanceof ProviderError && err.code === 'ERR_PROVIDER_RESPONSE' && /is not an iCalendar document/.test(err.message));
  });

  it('expands a long-running series quickly and returns plain JSON', async () => {
    const path = join(tmp, 'daily.ics');
    await writeFile(
      path,
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:daily@x', 'DTSTART:20000101T100000Z', 'RRULE:FREQ=DAILY', 'SUMMARY:Daily', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'),
    );
    const { events } = await search([path], { start: '2026-03-01T00:00:00Z', end: '2026-03-07T23:59:59Z' });
    assert.equal(events.length, 7);
    assert.deepEqual(JSON.parse(JSON.stringify(events)), events, 'JSON-serializable as is');
  });

  it('sorts by start and honours limit', async () => {
    const { events } = await search([fixture('berlin-dst.ics')]);
    const sorted = [...events].sort((a, b) => a.start.utc.localeCompare(b.start.utc));
    assert.deepEqual(events, sorted);
    const limited = await new IcsClient().searchEvents({ location: nowhere, dateRange: spring, feeds: [fixture('berlin-dst.ics')], limit: 3 });
    assert.deepEqual(limited, events.slice(0, 3));
  });
});
