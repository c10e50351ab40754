/**
 * What operators do to dedupe (DedupeOperations in src/contracts/dedupe.ts): read an event with
 * its evidence, parent, children and lineage; decide a pair from the review queue; split a
 * source record out of an event. Decisions are stored as constraints on source records (see
 * constraints.ts), then dedupe runs again over the records concerned, so the effect shows at
 * once and every later run keeps it.
 */
import type {
  DedupeOperations, DedupeStats, EventDetail, EventLookup, LineageEntry, MatchEvidence, ReviewDecisionResult, ReviewItem,
  ReviewList, ReviewListQuery, ReviewRecord, UnmergeRequest, UnmergeResult,
} from '../../../contracts/dedupe.js';
import {
  insertLineage, markReviewDecided, selectDedupeCounts, selectEventDetail, selectHostedRecords,
  selectRecords, selectReviewItem, selectReviewItems, upsertConstraints, type EventLinkRow, type RecordRef, type ReviewRecordRow,
} from '../../db/queries/catalogue-review.js';
import { resolveEventId } from '../../db/queries/events.js';
import type { Queryable } from '../../db/types.js';
import { isoOrNull as iso } from '../../db/timestamptz.js';
import { HttpError, NotFoundError, ValidationError } from '../../errors.js';
import { eventJson } from '../event-json.js';
import { evidenceOf, recordKey } from './evidence.js';
import type { DedupeOptions } from './options.js';
import { dedupeCatalogue } from './run.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;
const num = (v: number | string | null) => (v === null ? null : Number(v));

function checkEventId(id: string): void {
  if (typeof id !== 'string' || !UUID.test(id)) throw new ValidationError('id: must be a UUID');
}

function recordJson(ref: RecordRef, row: ReviewRecordRow | undefined): ReviewRecord {
  return {
    source: ref.source,
    externalId: ref.externalId,
    eventId: row?.event_id ?? null,
    title: row?.title ?? null,
    startsAt: iso(row?.starts_at ?? null),
    allDay: row?.all_day ?? null,
    timezone: row?.timezone ?? null,
    venueName: row?.venue_name ?? null,
    address: row?.address ?? null,
    city: row?.city ?? null,
    latitude: num(row?.latitude ?? null),
    longitude: num(row?.longitude ?? null),
    url: row?.url ?? null,
  };
}

export interface DedupeOperationsOptions {
  /** the matcher's options for the runs a decision triggers (the processing worker's defaults otherwise) */
  dedupe?: DedupeOptions;
}

export function createDedupeOperations(db: Queryable, options: DedupeOperationsOptions = {}): DedupeOperations {
  /** Dedupe again over the window and city of these records, so a decision shows at once. */
  async function rerun(records: ReadonlyArray<{ startsAt: Date | null; cityId: string | null }>): Promise<void> {
    const starts = records.flatMap((r) => (r.startsAt === null ? [] : [new Date(r.startsAt).getTime()]));
    if (starts.length === 0) return;
    const cities = new Set(records.map((r) => r.cityId));
    await dedupeCatalogue(db, {
      cityId: cities.size === 1 ? [...cities][0]! : null,
      from: new Date(Math.min(...starts) - DAY_MS),
      to: new Date(Math.max(...starts) + DAY_MS),
      dedupe: options.dedupe,
    });
  }

  async function recordsWithScope(refs: readonly RecordRef[]) {
    const rows = await selectRecords(db, refs);
    return { rows, scope: rows.map((r) => ({ startsAt: r.starts_at, cityId: r.city_id })) };
  }

  return {
    async getEventDetail(id: string): Promise<EventLookup> {
      checkEventId(id);
      const found = await selectEventDetail(db, id);
      if (found === null) return null;
      if (found.event === null) return { kind: 'moved', to: found.resolvedId };
      const event = eventJson(found.event, found.event.sources ?? [], { reasons: true });
      const reasons = event.mergeReasons as { pairs?: Array<{ a: string; b: string; score: number; reasons: string[]; evidence?: MatchEvidence }> } | null;
      const evidence = (reasons?.pairs ?? []).map((p) => ({ a: p.a, b: p.b, score: p.score, evidence: evidenceOf({ ...p, merged: true }) }));
      const { parent, children } = found;
      const link = (r: EventLinkRow) => ({ id: r.id, title: r.title, startsAt: iso(r.starts_at)! });
      const history: LineageEntry[] = found.history.map((l) => ({
        at: iso(l.at)!,
        action: l.action,
        eventId: l.event_id,
        otherId: l.other_id,
        source: l.source,
        externalId: l.external_id,
        detail: l.detail,
      }));
      const detail: EventDetail = {
        event: { ...event, parentId: parent?.id ?? null },
        evidence,
        parent: parent ? link(parent) : null,
        children: children.map(link),
        history,
      };
      return { kind: 'event', detail };
    },

    async listReview(query: ReviewListQuery = {}): Promise<ReviewList> {
      const rows = await selectReviewItems(db, query.status ?? 'pending', query.limit ?? 100);
      const refs = rows.flatMap((r) => [
        { source: r.a_source, externalId: r.a_external_id },
        { source: r.b_source, externalId: r.b_external_id },
      ]);
      const records = new Map((await selectRecords(db, refs)).map((r) => [recordKey(r.source, r.external_id), r]));
      const side = (source: string, externalId: string) => recordJson({ source, externalId }, records.get(recordKey(source, externalId)));
      return {
        items: rows.map((r) => ({
          pairId: r.pair_id,
          a: side(r.a_source, r.a_external_id),
          b: side(r.b_source, r.b_external_id),
          score: Number(r.score),
          evidence: r.evidence as MatchEvidence,
          status: r.status,
          decision: r.decision,
          createdAt: iso(r.created_at)!,
          decidedAt: iso(r.decided_at),
        })),
      };
    },

    async decideReview(pairId: string, decision: 'same' | 'different'): Promise<ReviewDecisionResult> {
      const item = await selectReviewItem(db, pairId);
      if (item === null) throw new NotFoundError(`no review item ${pairId}`);
      const a = { source: item.a_source, externalId: item.a_external_id };
      const b = { source: item.b_source, externalId: item.b_external_id };
      const before = await recordsWithScope([a, b]);
      const hostA = before.rows.find((r) => r.source === a.source && r.external_id === a.externalId)?.event_id ?? null;
      const hostB = before.rows.find((r) => r.source === b.source && r.external_id === b.externalId)?.event_id ?? null;
      if (decision === 'same') {
        await upsertConstraints(db, [{ a, b }], 'must', 'review');
      } else {
        // Different events: each record is apart from everything the other's event holds now
        // (what the matcher merged with the other), not only from the one listing shown.
        const withA = hostA === null ? [] : await selectHostedRecords(db, hostA);
        const withB = hostB === null ? [] : await selectHostedRecords(db, hostB);
        const pairs = hostA !== null && hostA === hostB
          ? [{ a, b }]
          : [{ a, b }, ...withB.map((o) => ({ a, b: o })), ...withA.map((o) => ({ a: o, b }))];
        await upsertConstraints(db, pairs.map((p) => ({ a: { source: p.a.source, externalId: p.a.externalId }, b: { source: p.b.source, externalId: p.b.externalId } }))
          .filter((p) => recordKey(p.a.source, p.a.externalId) !== recordKey(p.b.source, p.b.externalId)), 'cannot', 'review');
      }
      await markReviewDecided(db, pairId, decision);
      await rerun(before.scope);
      const after = new Map((await selectRecords(db, [a, b])).map((r) => [recordKey(r.source, r.external_id), r.event_id]));
      const hosts = [after.get(recordKey(a.source, a.externalId)) ?? null, after.get(recordKey(b.source, b.externalId)) ?? null] as [string | null, string | null];
      const detail = { pairId, decision, a: recordKey(a.source, a.externalId), b: recordKey(b.source, b.externalId) };
      await insertLineage(db, [...new Set(hosts.filter((h): h is string => h !== null))].map((eventId) => ({
        action: 'review' as const,
        eventId,
        otherId: hosts.find((h) => h !== null && h !== eventId) ?? null,
        detail,
      })));
      return {
        pairId,
        decision,
        eventIds: hosts,
      };
    },

    async unmergeEvent(eventId: string, request: UnmergeRequest): Promise<UnmergeResult> {
      checkEventId(eventId);
      const resolved = await resolveEventId(db, eventId);
      if (resolved === null) throw new NotFoundError(`no event ${eventId}`);
      const hosted = await selectHostedRecords(db, resolved);
      const key = recordKey(request.source, request.externalId);
      const record = hosted.find((r) => recordKey(r.source, r.externalId) === key);
      if (!record) throw new NotFoundError(`event ${resolved} holds no source record ${key}`);
      const others = hosted.filter((r) => r !== record);
      if (others.length === 0) throw new HttpError(409, `event ${resolved} has only the source record ${key}: nothing to split`);
      const ref = { source: record.source, externalId: record.externalId };
      await upsertConstraints(db, others.map((o) => ({ a: ref, b: { source: o.source, externalId: o.externalId } })), 'cannot', 'unmerge');
      await insertLineage(db, [{ action: 'unmerge', eventId: resolved, ...ref, detail: { apart: others.map((o) => recordKey(o.source, o.externalId)) } }]);
      await rerun(hosted);
      const now = await selectRecords(db, [ref]);
      return { eventId: resolved, source: ref.source, externalId: ref.externalId, nowHostedBy: now[0]?.event_id ?? null };
    },

    async stats(): Promise<DedupeStats> {
      const c = await selectDedupeCounts(db);
      return {
        reviewPending: c.pending,
        reviewDecisions: { same: c.same, different: c.different },
        merges: c.merge,
        unmerges: { dedupe: c.split, operator: c.unmerge },
      };
    },
  };
}
