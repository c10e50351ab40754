/**
 * Cross-source deduplication: finds raw events from different sources that describe the same
 * real-world event, so the database run (run.ts) can fold them into one canonical event.
 *
 * Pure and in-memory, in four stages, one module each:
 * 1. features.ts: each event is normalized once (title, session markers, venue, local day, city,
 *    coordinates), with the text rules of match-text.ts, session-markers.ts and text-similarity.ts;
 * 2. blocking.ts: only events on the same local day in the same or a neighbouring ~1 km cell
 *    (or, without coordinates, the same city) are compared, and only those whose starts are
 *    within the tolerance, so cost grows ~linearly;
 * 3. scoring.ts: each candidate pair is compared field by field (title, venue, time, session
 *    markers, distance, city) and the Fellegi–Sunter model of config/dedupe-weights.json
 *    (model.ts) weighs the comparisons: match, review, distinct, or parent and child;
 * 4. clustering.ts: matched pairs are joined with union-find, best score first, refusing a join
 *    that would put two records that can't be one event into one cluster.
 */
import type { MatchEvidence } from '../../../contracts/dedupe.js';
import { ValidationError } from '../../errors.js';
import { forEachCandidatePair } from './blocking.js';
import { clusterMatches, MatchList, type DuplicatePair } from './clustering.js';
import { featuresOf, type DedupeEvent } from './features.js';
import { resolveOptions, type DedupeOptions } from './options.js';
import { compareSpans, quickProbability, scoreFeatures } from './scoring.js';

export { blockKey } from './blocking.js';
export { loadModel, modelFromWeights, type DedupeModel } from './model.js';
export { scorePair, type PairScore } from './scoring.js';
export type { DedupeEvent, DedupeOptions, DuplicatePair };

/**
 * A pair the matcher did not merge but reports: uncertain (review) or parent and child. Its
 * evidence has each field's level and weight but no `detail` (there can be many such pairs);
 * `scorePair` on the two events spells everything out.
 */
export interface RelatedPair {
  a: string;
  b: string;
  /** match probability 0..1 (0 for parent and child) */
  score: number;
  evidence: MatchEvidence;
}

export interface DuplicateResult {
  /**
   * Matched pairs, ordered by (a, b), `a` < `b` by id: every match, except that an event keeps
   * only its best two matches per other source (more can't change its cluster).
   */
  pairs: DuplicatePair[];
  /**
   * Pairs in the uncertain band (probability between the review and match thresholds), for an
   * operator; ordered by (a, b). Pairs of records that ended up in one cluster anyway are left out.
   */
  review: RelatedPair[];
  /** Parent and child pairs (`a` is the umbrella listing, `b` the listing inside it), ordered by (a, b). */
  parents: RelatedPair[];
  /** Groups of two or more ids that are the same event; ids sorted, clusters ordered by first id. */
  clusters: string[][];
  stats: { events: number; blocks: number; comparisons: number; truncated: number };
}

/**
 * Finds groups of events that are the same real-world event.
 *
 * Deterministic: events are sorted by id first, so input order never changes the result.
 * Pairs are joined best score first (ties by id). A pair whose join would put two records that
 * can never be one event into one cluster is skipped and reported with `merged: false`: two
 * records of one source (a source lists distinct events separately), clashing session markers,
 * or timed starts beyond the tolerance. Such chains arise through a vague record, e.g. an all-day
 * listing that matches both the early and the late show; the weaker link is the wrong one.
 * Ids must be unique.
 */
export function findDuplicates<T extends DedupeEvent & { id: string }>(
  events: readonly T[],
  opts?: DedupeOptions,
): DuplicateResult {
  const o = resolveOptions(opts);
  const sorted = [...events].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].id === sorted[i - 1].id) throw new ValidationError(`findDuplicates: duplicate event id ${sorted[i].id}`);
  }
  const ids = sorted.map((e) => e.id);
  const F = sorted.map(featuresOf);

  const matches = new MatchList(F.map((f) => f.source));
  const related: Array<{ i: number; j: number; score: number; evidence: MatchEvidence }> = [];
  const blocking = forEachCandidatePair(F, o, (i, j) => {
    const quick = quickProbability(F[i], F[j], o);
    if (quick === -1 || (quick >= 0 && quick < o.reviewThreshold)) return;
    const r = scoreFeatures(F[i], F[j], o, false);
    if (r.match) matches.add(i, j, r.score);
    else if (r.evidence.decision === 'review' || r.evidence.decision === 'parent') related.push({ i: Math.min(i, j), j: Math.max(i, j), score: r.score, evidence: r.evidence });
  });
  const { pairs, clusters } = clusterMatches(F, ids, matches, o);
  const clusterOf = new Map<string, number>();
  clusters.forEach((c, k) => c.forEach((id) => clusterOf.set(id, k)));
  const review: RelatedPair[] = [];
  const parents: RelatedPair[] = [];
  related.sort((p, q) => p.i - q.i || p.j - q.j);
  for (const { i, j, score, evidence } of related) {
    if (evidence.decision === 'parent') {
      const [p, c] = compareSpans(F[i], F[j]) === 'b-holds-a' ? [j, i] : [i, j];
      parents.push({ a: ids[p], b: ids[c], score, evidence });
    } else if (clusterOf.get(ids[i]) === undefined || clusterOf.get(ids[i]) !== clusterOf.get(ids[j])) {
      review.push({ a: ids[i], b: ids[j], score, evidence });
    }
  }
  return { pairs, review, parents, clusters, stats: { events: F.length, ...blocking } };
}
