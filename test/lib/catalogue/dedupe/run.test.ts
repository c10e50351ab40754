import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { resolveEventId } from '../../../../src/lib/db/queries/events.js';
import type { Database } from '../../../../src/lib/db/types.js';
import { getEvent } from '../../../../src/lib/catalogue/query.js';
import { ingestRawEvents } from '../../../../src/lib/catalogue/ingest.js';
import { dedupeCatalogue } from '../../../../src/lib/catalogue/dedupe/run.js';
import { CONCERT, eventbrite, jsonld, ticketmaster, type Show } from '../../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../../helpers/db.js';
import { FROM_2026, assertReferencesHold, changeRaw, eventRow, insertRaw, openCatalogue, snapshot, sourceOf, sourceRows, visibleEvents } from '../helpers.js';

after(closeTestDatabases);

const HOUR = 3_600_000;
const T0 = new Date('2026-05-01T12:00:00Z');
const EB: Show = { ...CONCERT, id: '812000000001', title: 'Phoebe Bridgers - Live' };
const LD: Show = { ...CONCERT, id: 'https://thefillmore.example/events/phoebe-bridgers', title: 'PHOEBE BRIDGERS' };

/** The concert from three sources, discovered an hour apart: Ticketmaster first. */
async function ingestConcert(db: Database): Promise<{ tm: string; eb: string; ld: string }> {
  const [tm, eb, ld] = await insertRaw(db, [
    { source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster(), discoveredAt: T0 },
    { source: 'eventbrite', externalId: EB.id, data: eventbrite(), discoveredAt: new Date(T0.getTime() + HOUR) },
    { source: 'jsonld', externalId: LD.id, data: jsonld(), discoveredAt: new Date(T0.getTime() + 2 * HOUR) },
  ]);
  const result = await ingestRawEvents(db, { ids: [tm!, eb!, ld!] });
  assert.equal(result.inserted, 3);
  return { tm: tm!, eb: eb!, ld: ld! };
}

const process = (db: Database, extra: { missingAfterHours?: number } = {}) => dedupeCatalogue(db, { cityId: 'sf', from: FROM_2026, ...extra });

for (const backend of backends()) {
  describe(`dedupeCatalogue on ${backend.name}`, () => {
    test('one concert from three sources becomes one canonical event with three sources, score and reasons', async () => {
      const db = await openCatalogue(backend);
      try {
        await ingestConcert(db);
        const result = await process(db);
        assert.deepEqual(result, { cityId: 'sf', candidates: 3, clusters: 1, merged: 2, unmerged: 0, flaggedMissing: 0 });
        const visible = await visibleEvents(db);
        assert.equal(visible.length, 1);
        const canonical = visible[0]!;
        const tm = await sourceOf(db, 'ticketmaster');
        assert.equal(canonical.id, tm.origin_event_id, 'the survivor is the origin seen first');
        assert.ok((await sourceRows(db)).every((s) => s.event_id === canonical.id));
        assert.equal(canonical.title, 'Phoebe Bridgers', 'title from the highest-priority source');
        assert.ok(canonical.merge_score! >= 0.8 && canonical.merge_score! <= 1);
        const reasons = canonical.merge_reasons!;
        assert.equal(reasons.pairs.length >= 2, true);
        assert.ok(reasons.pairs.every((p) => p.reasons.some((r) => r.startsWith('title '))));
        assert.ok(reasons.pairs.some((p) => p.a.startsWith('eventbrite:') || p.b.startsWith('eventbrite:')));
        assert.ok(reasons.fields.some((r) => r.startsWith('title from ticketmaster')));
        assert.equal(canonical.merge_score, Math.min(...reasons.pairs.map((p) => p.score)));
        // The absorbed events stay, pointing at the survivor and explaining their own link.
        for (const source of ['eventbrite', 'jsonld']) {
          const origin = await eventRow(db, (await sourceOf(db, source)).origin_event_id);
          assert.equal(origin.merged_into, canonical.id);
          assert.equal(origin.merge_reasons!.absorbedBy, canonical.id);
          assert.ok(origin.merge_reasons!.matched!.length >= 1);
          assert.ok(origin.merge_score! >= 0.8);
        }
        const json = await getEvent(db, canonical.id);
        assert.deepEqual(json!.sources.map((s) => s.source).sort(), ['eventbrite', 'jsonld', 'ticketmaster']);
        assert.equal(json!.priceMin, 55);
        assert.equal(json!.priceMax, 95);
      } finally {
        await db.close();
      }
    });

    test('a second run changes nothing and keeps the canonical id', async () => {
      const db = await openCatalogue(backend);
      try {
        await ingestConcert(db);
        await process(db);
        const before = await snapshot(db);
        const again = await process(db);
        assert.deepEqual(again, { cityId: 'sf', candidates: 3, clusters: 1, merged: 0, unmerged: 0, flaggedMissing: 0 });
        assert.deepEqual(await snapshot(db), before);
        // Re-ingesting the same payloads of a merged event changes nothing either.
        const ids = before.raws.map((r) => r.id as string);
        const reingest = await ingestRawEvents(db, { ids });
        assert.equal(reingest.unchanged, 3);
        assert.deepEqual(await snapshot(db), before);
      } finally {
        await db.close();
      }
    });

    test('a merged-away id resolves to the event that absorbed it', async () => {
      const db = await openCatalogue(backend);
      try {
        await ingestConcert(db);
        await process(db);
        const survivor = (await sourceOf(db, 'ticketmaster')).origin_event_id;
        const absorbed = (await sourceOf(db, 'eventbrite')).origin_event_id;
        assert.notEqual(absorbed, survivor);
        assert.equal(await resolveEventId(db, absorbed), survivor);
        assert.equal(await resolveEventId(db, survivor), survivor);
        assert.equal(await resolveEventId(db, '00000000-0000-4000-8000-000000000000'), null);
        const viaOld = await getEvent(db, absorbed);
        assert.equal(viaOld!.id, survivor);
        assert.equal(viaOld!.sources.length, 3);
        assert.equal(await getEvent(db, '00000000-0000-4000-8000-000000000000'), null);
      } finally {
        await db.close();
      }
    });

    test('a source that no longer matches is split back out onto its own event (unmerge)', async () => {
      const db = await openCatalogue(backend);
      try {
        const raw = await ingestConcert(db);
        await process(db);
        const survivor = (await sourceOf(db, 'ticketmaster')).origin_event_id;
        // Eventbrite moves its listing three hours later: beyond any tolerance, not the same show.
        await changeRaw(db, raw.eb, eventbrite({ ...EB, local: '2026-06-12T23:00:00', utc: '2026-06-13T06:00:00Z' }));
        const ingested = await ingestRawEvents(db, {});
        assert.equal(ingested.updated, 1);
        const result = await process(db);
        assert.deepEqual(result, { cityId: 'sf', candidates: 3, clusters: 1, merged: 0, unmerged: 1, flaggedMissing: 0 });
        const eb = await sourceOf(db, 'eventbrite');
        assert.equal(eb.event_id, eb.origin_event_id, 'the record is back on its own event');
        const own = await eventRow(db, eb.origin_event_id);
        assert.equal(own.merged_into, null);
        assert.equal(own.merge_score, null);
        assert.equal(own.merge_reasons, null);
        assert.equal(own.title, 'Phoebe Bridgers - Live', 'its own fields are shown again');
        assert.equal(own.starts_at.toISOString(), '2026-06-13T06:00:00.000Z');
        const canonical = await eventRow(db, survivor);
        assert.equal(canonical.merged_into, null);
        assert.equal(canonical.merge_reasons!.pairs.length, 1, 'the survivor keeps the one remaining match');
        assert.deepEqual((await getEvent(db, survivor))!.sources.map((s) => s.source).sort(), ['jsonld', 'ticketmaster']);
        assert.equal((await visibleEvents(db)).length, 2);
        await assertReferencesHold(db);
      } finally {
        await db.close();
      }
    });

    test('a cancellation seen by one source shows on the canonical event', async () => {
      const db = await openCatalogue(backend);
      try {
        const raw = await ingestConcert(db);
        await process(db);
        const survivor = (await sourceOf(db, 'ticketmaster')).origin_event_id;
        const before = await eventRow(db, survivor);
        await changeRaw(db, raw.eb, eventbrite({ ...EB, cancelled: true }));
        await ingestRawEvents(db, {});
        // Ingestion re-merges the event hosting the changed record right away ...
        const after = await eventRow(db, survivor);
        assert.equal(after.status, 'cancelled');
        assert.ok(after.updated_at > before.updated_at);
        assert.ok(after.merge_reasons!.fields.some((r) => r.startsWith('status cancelled from eventbrite')));
        assert.deepEqual(after.merge_reasons!.pairs, before.merge_reasons!.pairs, 'the matches stay as dedupe left them');
        // ... and dedupe agrees.
        await process(db);
        assert.equal((await eventRow(db, survivor)).status, 'cancelled');
        assert.equal((await visibleEvents(db)).length, 1);
      } finally {
        await db.close();
      }
    });

    test('an early and a late show are never merged, even through a vague all-day listing', async () => {
      const db = await openCatalogue(backend);
      try {
        const early: Show = { ...CONCERT, title: 'Phoebe Bridgers (Early Show)', local: '2026-06-12T19:00:00', utc: '2026-06-13T02:00:00Z' };
        const late: Show = { ...CONCERT, title: 'Phoebe Bridgers (Late Show)', local: '2026-06-12T21:30:00', utc: '2026-06-13T04:30:00Z' };
        const ids = await insertRaw(db, [
          { source: 'ticketmaster', externalId: 'tm-early', data: ticketmaster({ ...early, id: 'tm-early' }) },
          { source: 'ticketmaster', externalId: 'tm-late', data: ticketmaster({ ...late, id: 'tm-late' }) },
          { source: 'eventbrite', externalId: 'eb-early', data: eventbrite({ ...early, id: 'eb-early', title: 'Phoebe Bridgers - Early Show' }) },
          { source: 'eventbrite', externalId: 'eb-late', data: eventbrite({ ...late, id: 'eb-late', title: 'Phoebe Bridgers - Late Show' }) },
          { source: 'jsonld', externalId: 'ld-day', data: jsonld({ ...LD, id: 'https://thefillmore.example/day', local: '2026-06-12' }) },
        ]);
        await ingestRawEvents(db, { ids });
        const result = await process(db);
        assert.equal(result.clusters, 2);
        const hosts = new Map<string, string[]>();
        for (const s of await sourceRows(db)) hosts.set(s.event_id, [...(hosts.get(s.event_id) ?? []), s.external_id]);
        const groups = [...hosts.values()].map((g) => g.sort().join(' '));
        assert.ok(groups.includes('eb-early tm-early') || groups.includes('eb-early ld-day tm-early'), groups.join(' | '));
        assert.ok(groups.includes('eb-late tm-late') || groups.includes('eb-late ld-day tm-late'), groups.join(' | '));
        for (const g of groups) assert.ok(!(g.includes('early') && g.includes('late')), `early and late merged: ${g}`);
      } finally {
        await db.close();
      }
    });

    test('a source that stops listing the event is flagged missing, never deleted', async () => {
      const db = await openCatalogue(backend);
      try {
        const raw = await ingestConcert(db);
        await process(db);
        const survivor = (await sourceOf(db, 'ticketmaster')).origin_event_id;
        const lastSeen = new Date(Date.now() - 72 * HOUR);
        await db.query('UPDATE raw_events SET last_seen_at = $2 WHERE id = $1', [raw.ld, lastSeen]);
        const first = await process(db);
        assert.equal(first.flaggedMissing, 1);
        assert.equal((await sourceOf(db, 'jsonld')).missing_since?.toISOString(), lastSeen.toISOString());
        assert.equal((await eventRow(db, survivor)).missing_since, null, 'other sources still list it');
        assert.equal((await process(db)).flaggedMissing, 0, 'flagging is idempotent');

        await db.query('UPDATE raw_events SET last_seen_at = $1', [lastSeen]);
        assert.equal((await process(db)).flaggedMissing, 2);
        assert.equal((await eventRow(db, survivor)).missing_since?.toISOString(), lastSeen.toISOString(), 'all sources missing');
        assert.equal((await sourceRows(db)).length, 3, 'nothing deleted');
        assert.equal((await getEvent(db, survivor))!.missingSince, lastSeen.toISOString());

        // Listed again: the flags clear.
        await db.query('UPDATE raw_events SET last_seen_at = now()');
        await process(db);
        assert.ok((await sourceRows(db)).every((s) => s.missing_since === null));
        assert.equal((await eventRow(db, survivor)).missing_since, null);
        // A longer allowance keeps a 3-day-old sighting unflagged.
        await db.query('UPDATE raw_events SET last_seen_at = $1', [lastSeen]);
        assert.equal((await process(db, { missingAfterHours: 24 * 7 })).flaggedMissing, 0);
      } finally {
        await db.close();
      }
    });
  });
}
