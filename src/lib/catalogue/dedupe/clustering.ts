/**
 * Dedupe's clustering stage: matched pairs become groups of records that are one event. Pairs
 * are joined with union-find, best score first, and a join is refused when it would put two
 * records that can never be one event (the hard rules of scoring.ts) into one cluster.
 */
import type { MatchEvidence } from '../../../contracts/dedupe.js';
import type { Features } from './features.js';
import { levelOf, mergeVeto } from './model.js';
import type { ResolvedOptions } from './options.js';
import { compareSessionMarkers, compareSources, compareSpans, compareTime, scoreFeatures } from './scoring.js';

export interface DuplicatePair {
  a: string;
  b: string;
  /** match probability 0..1 */
  score: number;
  reasons: string[];
  /** per-field levels and weights, score, probability and decision (src/contracts/dedupe.ts) */
  evidence: MatchEvidence;
  /** False when joining would have put two records that can't be one event in a cluster (see findDuplicates). */
  merged: boolean;
}

/** How many matches an event keeps per other source: the best, and a fallback if the best is refused. */
const MATCHES_PER_SOURCE = 2;

/**
 * Matched pairs, kept lean (parallel arrays, no strings) and bounded: an event can share a
 * cluster with at most one record of each other source, so only its best MATCHES_PER_SOURCE
 * matches per other source can matter. A pair survives when it ranks that high for either of
 * its events. Pruning as the list grows keeps memory linear even in a block of thousands of
 * near-identical listings; it never drops a pair the final prune would keep.
 */
export class MatchList {
  private i: number[] = [];
  private j: number[] = [];
  private score: number[] = [];
  private readonly sourceOf: Int32Array;
  private readonly sourceCount: number;
  private readonly limit: number;

  constructor(sources: readonly string[]) {
    const ids = new Map<string, number>();
    this.sourceOf = Int32Array.from(sources, (s) => {
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = ids.size));
      return id;
    });
    this.sourceCount = Math.max(1, ids.size);
    this.limit = 4 * MATCHES_PER_SOURCE * this.sourceCount * sources.length + 100_000;
  }

  add(i: number, j: number, score: number): void {
    this.i.push(Math.min(i, j));
    this.j.push(Math.max(i, j));
    this.score.push(score);
    if (this.i.length > this.limit) this.prune();
  }

  /** The kept matches, best score first (ties by index, so by id). */
  best(): Array<{ i: number; j: number; score: number }> {
    this.prune();
    return this.i.map((i, k) => ({ i, j: this.j[k], score: this.score[k] }));
  }

  private prune(): void {
    const order = this.i.map((_, k) => k);
    order.sort((p, q) => this.score[q] - this.score[p] || this.i[p] - this.i[q] || this.j[p] - this.j[q]);
    const seen = new Map<number, number>();
    const rankFor = (event: number, otherSource: number) => {
      const key = event * this.sourceCount + otherSource;
      const rank = seen.get(key) ?? 0;
      seen.set(key, rank + 1);
      return rank;
    };
    const keep = order.filter((k) => {
      const a = this.i[k];
      const b = this.j[k];
      const rankA = rankFor(a, this.sourceOf[b]);
      const rankB = rankFor(b, this.sourceOf[a]);
      return rankA < MATCHES_PER_SOURCE || rankB < MATCHES_PER_SOURCE;
    });
    this.i = keep.map((k) => this.i[k]);
    this.j = keep.map((k) => this.j[k]);
    this.score = keep.map((k) => this.score[k]);
  }
}

/**
 * Union-find whose joins can be refused: two clusters are joined only when no member of one
 * rules out a member of the other (see `conflict`), so matches can't chain A~B~C into a cluster
 * where A and C are two listings of one source, or the early and the late show.
 */
class UnionFind {
  private readonly parent: Int32Array;
  private readonly members: number[][];

  constructor(size: number, private readonly conflict: (i: number, j: number) => string | null) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
    this.members = Array.from({ length: size }, (_, i) => [i]);
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[i] !== root) [this.parent[i], i] = [root, this.parent[i]];
    return root;
  }

  /** Joins the clusters of i and j; returns why it refused, or null. */
  union(i: number, j: number): string | null {
    let ri = this.find(i);
    let rj = this.find(j);
    if (ri === rj) return null;
    for (const p of this.members[ri]) {
      for (const q of this.members[rj]) {
        const why = this.conflict(p, q);
        if (why !== null) return why;
      }
    }
    // The smaller cluster joins the larger (ties: j's joins i's), keeping trees shallow.
    if (this.members[ri].length < this.members[rj].length) [ri, rj] = [rj, ri];
    this.parent[rj] = ri;
    this.members[ri].push(...this.members[rj]);
    this.members[rj] = [];
    return null;
  }
}

/**
 * Pairs that can never be one event, whatever their titles (scoring's hard rules): one source's
 * two listings, clashing session markers, a multi-day listing and one inside it, or starts too
 * far apart (all-day listings aside, which match any time that day), including starts in a band
 * the weights file never merges on its own.
 */
function cannotLink(a: Features, b: Features, o: ResolvedOptions): string | null {
  if (compareSources(a, b) !== 'different') return `${a.source} already in cluster`;
  if (compareSessionMarkers(a, b) === 'conflict') return `session markers ${a.markers.join(', ')} vs ${b.markers.join(', ')}`;
  if (compareSpans(a, b) !== null) return 'a multi-day listing and one inside it (parent and child)';
  const time = compareTime(a, b, o.toleranceMinutes);
  if (time.level === 'different-days') return 'different local days';
  if (time.level === 'beyond-tolerance') return `members start ${Math.round(time.deltaMinutes!)} min apart`;
  // Starts in a band the weights file never merges on its own (neverMerge): not through a chain
  // either, unless one listing says it gives the doors time (doors 17:00, arena show 19:45).
  if (time.level === 'within-tolerance' && !a.doors && !b.doors) {
    const level = levelOf(o.model, 'time', time.deltaMinutes!).level;
    if (mergeVeto(o.model, [{ field: 'time', level }]) !== null) return `members start ${Math.round(time.deltaMinutes!)} min apart`;
  }
  return null;
}

/**
 * Joins the matched pairs best first, each explained; a refused join is kept as a pair with
 * `merged: false` and why. Pairs come back ordered by (a, b) and clusters (two or more ids,
 * sorted) by first id, as `ids` (the events' ids, sorted) orders them.
 */
export function clusterMatches(
  F: readonly Features[],
  ids: readonly string[],
  matches: MatchList,
  o: ResolvedOptions,
): { pairs: DuplicatePair[]; clusters: string[][] } {
  const uf = new UnionFind(F.length, (p, q) => cannotLink(F[p], F[q], o));
  const pairs: Array<DuplicatePair & { i: number; j: number }> = matches.best().map(({ i, j, score }) => {
    const refused = uf.union(i, j);
    const { reasons, evidence } = scoreFeatures(F[i], F[j], o, true);
    if (refused !== null) reasons.push(`not merged: clusters can't be joined (${refused})`);
    return { i, j, a: ids[i], b: ids[j], score, reasons, evidence, merged: refused === null };
  });
  pairs.sort((p, q) => p.i - q.i || p.j - q.j);

  const groups = new Map<number, string[]>();
  for (let i = 0; i < F.length; i++) {
    const root = uf.find(i);
    const g = groups.get(root);
    if (g) g.push(ids[i]);
    else groups.set(root, [ids[i]]);
  }
  const clusters = [...groups.values()].filter((g) => g.length > 1).sort((p, q) => (p[0] < q[0] ? -1 : 1));
  return { pairs: pairs.map(({ i: _i, j: _j, ...p }) => p), clusters };
}
