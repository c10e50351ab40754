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
 *    markers, distance, city) and a hand-set rule decides whether it matches;
 * 4. clustering.ts: matched pairs are joined with union-find, best score first, refusing a join
 *    that would put two records that can't be one event into one cluster.
 */
import { ValidationError } from '../../errors.js';
import { forEachCandidatePair } from './blocking.js';
import { clusterMatches, MatchList, type DuplicatePair } from './clustering.js';
import { featuresOf, type DedupeEvent } from './features.js';
import { resolveOptions, type DedupeOptions } from './options.js';
import { scoreFeatures } from './scoring.js';

export { blockKey } from './blocking.js';
export { scorePair, type PairScore } from './scoring.js';
export type { DedupeEvent, DedupeOptions, DuplicatePair };

export interface DuplicateResult {
  /**
   * Matched pairs, ordered by (a, b), `a` < `b` by id: every match, except that an event keeps
   * only its best two matches per other source (more can't change its cluster).
   */
  pairs: DuplicatePair[];
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
  const blocking = forEachCandidatePair(F, o, (i, j) => {
    const r = scoreFeatures(F[i], F[j], o, false);
    if (r.match) matches.add(i, j, r.score);
  });
  const { pairs, clusters } = clusterMatches(F, ids, matches, o);
  return { pairs, clusters, stats: { events: F.length, ...blocking } };
}
