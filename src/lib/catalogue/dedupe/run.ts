/**
 * Cross-source dedupe of the stored catalogue (the ProcessingWorker's task).
 *
 * Every source record owns an *origin* event (created when it was first ingested). A run
 * re-clusters the records of one city and window with findDuplicates and makes the database
 * agree with the clusters, whatever it said before:
 * - a cluster's *surviving* event is the origin with the oldest first_seen_at (ties: smallest
 *   id), so its id is stable across runs; the other origins get `merged_into` = survivor (their
 *   rows stay, old ids resolve) and every record of the cluster is hosted by the survivor;
 * - the survivor shows mergeEvents' fields, with `merge_score` (the weakest matched pair) and
 *   `merge_reasons` (every matched pair's reasons and every field choice);
 * - a record that no longer matches its cluster is a cluster of its own: its origin event is
 *   restored (merged_into cleared, the record moved back, its own fields shown). That is unmerge.
 * A cluster already in place whose records did not change since it was written (same
 * signature) costs nothing more: its records are not loaded and nothing is written for it.
 * Operators' constraints (dedupe_constraints: must-link joins, cannot-link splits; see
 * constraints.ts) are applied to the clusters before anything is written, and an umbrella
 * listing is never clustered with a show within it (the matcher's 'parent' decision): the show's
 * event is linked to it (parent_id) instead. Every merge and split is written to event_lineage,
 * and pairs the matcher is unsure of go to the review queue (dedupe_review).
 * Then records whose source stopped listing them are flagged missing (never deleted).
 * Running it twice changes nothing the second time.
 */
import { createHash } from 'node:crypto';
import {
  deletePendingReview, insertLineage, loadConstraints, pendingReviewAmong, setParents, upsertReviewItems,
  type LineageWrite, type ReviewWrite,
} from '../../db/queries/catalogue-review.js';
import { applyMergePlan, loadRecords, type Absorption, type CanonicalWrite, type SourceMove } from '../../db/queries/catalogue-merge.js';
import { flagMissingRecords, loadDedupeCandidates, type CatalogueScope, type DedupeCandidateRow } from '../../db/queries/catalogue-dedupe.js';
import type { Queryable } from '../../db/types.js';
import { canonicalOf, fromSourceFields } from '../records.js';
import { applyConstraints, type LinkConstraint } from './constraints.js';
import { evidenceOf, pairIdOf, type UncertainPair } from './evidence.js';
import { findDuplicates, type DedupeEvent, type DedupeOptions, type DuplicatePair, type DuplicateResult } from './index.js';

export interface DedupeCatalogueOptions {
  /** the city whose records are compared; null or absent: every city */
  cityId?: string | null;
  /** earliest start compared. Default: one day ago. */
  from?: Date;
  /** latest start compared. Default: no limit. */
  to?: Date | null;
  /** a record is missing when its raw event was last seen longer ago than this. Default 48. */
  missingAfterHours?: number;
  dedupe?: DedupeOptions;
}

export interface DedupeCatalogueResult {
  cityId: string | null;
  /** records compared */
  candidates: number;
  /** groups of two or more records that are one event */
  clusters: number;
  /** origin events absorbed into another event by this run */
  merged: number;
  /** origin events restored by this run (their record no longer matches) */
  unmerged: number;
  /** records newly flagged missing by this run */
  flaggedMissing: number;
}

const DAY_MS = 86_400_000;
export const DEFAULT_MISSING_AFTER_HOURS = 48;

type Candidate = DedupeEvent & { id: string; row: DedupeCandidateRow };

const keyOf = (source: string, externalId: string) => `${source}:${externalId}`;

function toCandidate(row: DedupeCandidateRow): Candidate {
  return {
    id: keyOf(row.source, row.external_id),
    row,
    source: row.source,
    externalId: row.external_id,
    title: row.title,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timezone: row.timezone,
    allDay: row.all_day,
    cityId: row.city_id,
    venue: {
      name: row.venue_name,
      // Dedupe compares names when both sides name a venue, else street addresses (Yelp gives no name).
      address: row.address,
      city: row.venue_city,
      latitude: row.latitude === null ? null : Number(row.latitude),
      longitude: row.longitude === null ? null : Number(row.longitude),
    },
  };
}

/** Oldest first_seen_at, ties by smallest id. */
function survivorOf(group: readonly Candidate[]): Candidate {
  return group.reduce((best, c) => {
    const d = c.row.origin_first_seen_at.getTime() - best.row.origin_first_seen_at.getTime();
    return d < 0 || (d === 0 && c.row.origin_event_id < best.row.origin_event_id) ? c : best;
  });
}

const explainPair = (p: DuplicatePair) => ({ a: p.a, b: p.b, score: p.score, reasons: p.reasons, evidence: evidenceOf(p) });

/** An event whose content is (re)computed: a cluster's survivor, or a lone record's restored origin. */
interface Target {
  id: string;
  cityId: string | null;
  members: Candidate[];
  pairs: DuplicatePair[];
  signature: string | null;
}

interface Plan {
  moves: SourceMove[];
  absorptions: Absorption[];
  targets: Target[];
  clusters: number;
  merged: number;
  unmerged: number;
  /** each record's event after the plan (record id → surviving event id) */
  hostOf: Map<string, string>;
  lineage: LineageWrite[];
}

/**
 * What a cluster's merge depends on: its survivor, city, options, and each record's content and
 * last sighting. A survivor stores it (MergeReasons.signature); a later run that computes the
 * same signature for a cluster already in place has nothing to load or write for it.
 */
function signatureOf(survivor: string, cityId: string | null, members: readonly Candidate[], options: string): string {
  const parts = members.map((m) => [m.id, m.row.record_hash, m.row.last_seen_at.getTime()]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  return createHash('sha1').update(JSON.stringify([survivor, cityId, options, parts])).digest('base64url');
}

/** What the database must become for these clusters; pure. */
function plan(candidates: readonly Candidate[], found: DuplicateResult, options: string): Plan {
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const groupOf = new Map<string, number>();
  const groups: Candidate[][] = found.clusters.map((ids, g) => ids.map((id) => (groupOf.set(id, g), byId.get(id)!)));
  for (const c of candidates) if (!groupOf.has(c.id)) groups.push([c]);
  const pairsOf = new Map<number, DuplicatePair[]>();
  for (const p of found.pairs) {
    if (!p.merged) continue;
    const g = groupOf.get(p.a)!;
    const list = pairsOf.get(g);
    if (list) list.push(p);
    else pairsOf.set(g, [p]);
  }
  const hosted = new Map<string, number>();
  for (const c of candidates) hosted.set(c.row.event_id, (hosted.get(c.row.event_id) ?? 0) + 1);

  const out: Plan = { moves: [], absorptions: [], targets: [], clusters: found.clusters.length, merged: 0, unmerged: 0, hostOf: new Map(), lineage: [] };
  groups.forEach((group, g) => {
    const survivor = survivorOf(group).row.origin_event_id;
    for (const m of group) out.hostOf.set(m.id, survivor);
    const cityId = group.find((m) => m.row.origin_event_id === survivor)!.row.city_id;
    const groupPairs = pairsOf.get(g) ?? [];
    const inPlace = group.every((m) => m.row.event_id === survivor
      && m.row.origin_merged_into === (m.row.origin_event_id === survivor ? null : survivor));

    if (group.length > 1) {
      const signature = signatureOf(survivor, cityId, group, options);
      if (inPlace && group[0]!.row.host_signature === signature) return;
      out.targets.push({ id: survivor, cityId, members: group, pairs: groupPairs, signature });
    } else {
      // A lone record's origin already shows its own fields (ingestion keeps it so) unless it
      // was merged away or hosted others: then it is restored.
      const lone = group[0]!.row;
      if (inPlace && lone.origin_merge_score === null && (hosted.get(survivor) ?? 0) === 1) return;
      out.targets.push({ id: survivor, cityId, members: group, pairs: [], signature: null });
    }
    for (const m of group) {
      const r = m.row;
      if (r.event_id !== survivor) out.moves.push({ source: r.source, externalId: r.external_id, eventId: survivor });
      const record = { source: r.source, externalId: r.external_id };
      if (r.origin_event_id === survivor) {
        if (r.origin_merged_into !== null) {
          out.unmerged++;
          out.lineage.push({ action: 'split', eventId: survivor, otherId: r.origin_merged_into, ...record });
        }
        continue;
      }
      const own = groupPairs.filter((p) => p.a === m.id || p.b === m.id);
      if (r.origin_merged_into !== survivor) {
        out.merged++;
        out.lineage.push({
          action: 'merge', eventId: survivor, otherId: r.origin_event_id, ...record,
          detail: { matched: own.map((p) => (p.a === m.id ? p.b : p.a)), score: own.length > 0 ? Math.max(...own.map((p) => p.score)) : null },
        });
      }
      out.absorptions.push({
        id: r.origin_event_id,
        into: survivor,
        score: own.length > 0 ? Math.max(...own.map((p) => p.score)) : null,
        reasons: { absorbedBy: survivor, matched: own.map((p) => (p.a === m.id ? p.b : p.a)) },
      });
    }
  });
  return out;
}

export async function dedupeCatalogue(db: Queryable, options: DedupeCatalogueOptions = {}): Promise<DedupeCatalogueResult> {
  const scope: CatalogueScope = {
    cityId: options.cityId ?? null,
    from: options.from ?? new Date(Date.now() - DAY_MS),
    to: options.to ?? null,
  };
  const candidates = (await loadDedupeCandidates(db, scope)).map(toCandidate);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const constraints: LinkConstraint[] = (await loadConstraints(db, candidates)).map((c) => ({
    a: keyOf(c.a_source, c.a_external_id),
    b: keyOf(c.b_source, c.b_external_id),
    kind: c.kind,
  })).filter((c) => byId.has(c.a) && byId.has(c.b));
  let found = findDuplicates(candidates, options.dedupe);
  // The matcher's near misses go to review; an umbrella listing and a show within it are
  // linked, never merged (not even through a chain).
  const uncertain: UncertainPair[] = [...found.review, ...found.parents];
  const apart: LinkConstraint[] = uncertain.filter((u) => u.evidence.decision === 'parent').map((u) => ({ a: u.a, b: u.b, kind: 'cannot' }));
  if (constraints.length > 0 || apart.length > 0) {
    const ids = candidates.map((c) => c.id).sort();
    found = { ...found, ...applyConstraints(ids, (id) => byId.get(id)!.source, found.pairs, [...constraints, ...apart]) };
  }
  const p = plan(candidates, found, JSON.stringify(options.dedupe ?? {}));

  // Full records only for the clusters that changed.
  const records = await loadRecords(db, p.targets.flatMap((t) => t.members.map((m) => ({ source: m.source, externalId: m.externalId }))));
  const recordOf = new Map(records.map((r) => [keyOf(r.source, r.external_id), fromSourceFields(r.source, r.external_id, r, r.last_seen_at)]));
  const canonical: CanonicalWrite[] = [];
  for (const t of p.targets) {
    const members = t.members.flatMap((m) => recordOf.get(m.id) ?? []);
    if (members.length === 0) continue;
    const { row, lastSeenAt, reasons } = canonicalOf(members);
    const merged = t.members.length > 1;
    canonical.push({
      id: t.id,
      row,
      cityId: t.cityId,
      lastSeenAt,
      mergeScore: merged && t.pairs.length > 0 ? Math.min(...t.pairs.map((pair) => pair.score)) : null,
      mergeReasons: merged ? { pairs: t.pairs.map(explainPair), fields: reasons, signature: t.signature! } : null,
    });
  }
  await applyMergePlan(db, { moves: p.moves, absorptions: p.absorptions, canonical });
  await insertLineage(db, p.lineage);
  await queueUncertainPairs(db, candidates, byId, constraints, p.hostOf, uncertain);
  const { flagged } = await flagMissingRecords(db, scope, options.missingAfterHours ?? DEFAULT_MISSING_AFTER_HOURS);
  return {
    cityId: scope.cityId,
    candidates: candidates.length,
    clusters: p.clusters,
    merged: p.merged,
    unmerged: p.unmerged,
    flaggedMissing: flagged,
  };
}

/**
 * The pairs the matcher was unsure of go to the review queue (unless an operator already decided
 * them, or they ended up in one cluster); pending items of pairs in scope that are no longer
 * uncertain leave it. Umbrella/child pairs ('parent') link the child's event to the parent's.
 */
async function queueUncertainPairs(
  db: Queryable,
  candidates: readonly Candidate[],
  byId: ReadonlyMap<string, Candidate>,
  constraints: readonly LinkConstraint[],
  hostOf: ReadonlyMap<string, string>,
  uncertain: readonly UncertainPair[],
): Promise<void> {
  const decided = new Set(constraints.map((c) => pairIdOf(c.a, c.b)));
  const review: ReviewWrite[] = [];
  const parents = new Map<string, string>();
  for (const u of uncertain) {
    const a = byId.get(u.a)!;
    const b = byId.get(u.b)!;
    if (hostOf.get(u.a) === hostOf.get(u.b)) continue;
    const pairId = pairIdOf(u.a, u.b);
    if (decided.has(pairId)) continue;
    if (u.evidence.decision === 'parent') {
      const [parent, child] = parentFirst(a, b);
      parents.set(hostOf.get(child.id)!, hostOf.get(parent.id)!);
      continue;
    }
    review.push({
      pairId,
      a: { source: a.source, externalId: a.externalId },
      b: { source: b.source, externalId: b.externalId },
      cityId: a.row.city_id ?? b.row.city_id,
      score: u.score,
      evidence: u.evidence,
    });
  }
  const keep = new Set(review.map((r) => r.pairId));
  const stale = (await pendingReviewAmong(db, candidates)).filter((id) => !keep.has(id));
  await deletePendingReview(db, stale);
  await upsertReviewItems(db, review);
  // Only the links that change; a host's current link comes with its records' rows.
  const current = new Map(candidates.map((c) => [c.row.event_id, c.row.host_parent_id]));
  const changes = new Map<string, string | null>();
  for (const host of new Set(hostOf.values())) {
    const want = parents.get(host) ?? null;
    if (!current.has(host) || current.get(host) !== want) changes.set(host, want);
  }
  await setParents(db, changes);
}

/** The umbrella listing of a parent/child pair: the all-day one, else the one starting first. */
function parentFirst(a: Candidate, b: Candidate): [Candidate, Candidate] {
  if (a.allDay !== b.allDay) return a.allDay ? [a, b] : [b, a];
  return a.row.starts_at.getTime() <= b.row.starts_at.getTime() ? [a, b] : [b, a];
}
