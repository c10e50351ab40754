/**
 * Quality of a dedupe run against labels: pairwise precision, recall and F1 over same-cluster
 * pairs (overall, per source pair and per labeled pattern), and the trap cases it merged.
 *
 * A predicted cluster of n listings claims n·(n−1)/2 same-event pairs; a true cluster holds as
 * many. Pairs are counted, not clusters, so a big wrong merge costs in proportion to the harm a
 * reader sees. A trap case (two different events that look alike) is merged when any listing of
 * one ends up in a predicted cluster with any listing of the other, directly or through a chain.
 */

export interface LabeledListing {
  id: string;
  source: string;
  cluster: string;
}

export interface TrapLabel {
  a: string;
  b: string;
  kind: string;
  why: string;
}

export interface PairFigures {
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface TrapMerge extends TrapLabel {
  /** The listing pairs, one from each side, that ended up in one predicted cluster. */
  listings: Array<[string, string]>;
}

export interface DedupeQuality {
  overall: PairFigures;
  /** Keyed "sourceA+sourceB", names sorted ("eventbrite+ics", "ics+ics"). */
  bySourcePair: Record<string, PairFigures>;
  /** Recall of the true pairs inside clusters labeled with each pattern. */
  byPattern: Record<string, { truePairs: number; correctPairs: number; recall: number }>;
  traps: { cases: number; merged: TrapMerge[] };
  /** True pairs the run did not put together. */
  missed: Array<[string, string]>;
  /** Pairs the run put together that are different events. */
  spurious: Array<[string, string]>;
}

/** The goals a matcher must meet on the labeled set. */
export const DEDUPE_GOALS = { minF1: 0.95, minSourcePairF1: 0.9, maxTrapsMerged: 0 } as const;

export function figures(truePairs: number, predictedPairs: number, correctPairs: number): PairFigures {
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predictedPairs, correctPairs, precision, recall, f1 };
}

export const sourcePairKey = (a: string, b: string): string => (a <= b ? `${a}+${b}` : `${b}+${a}`);

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function pairsOf(groups: Iterable<readonly string[]>): Set<string> {
  const out = new Set<string>();
  for (const group of groups) {
    for (let i = 0; i < group.length; i++) for (let k = i + 1; k < group.length; k++) out.add(pairKey(group[i]!, group[k]!));
  }
  return out;
}

/**
 * `predicted`: the run's clusters of listing ids (singletons may be left out). Every id must be a
 * labeled listing; labeled listings the run never saw simply take part in no predicted pair.
 * `patterns` maps a cluster id to the patterns it shows (for the per-pattern recall).
 */
export function evaluateDedupe(
  listings: readonly LabeledListing[],
  predicted: readonly (readonly string[])[],
  traps: readonly TrapLabel[] = [],
  patterns: ReadonlyMap<string, readonly string[]> = new Map(),
): DedupeQuality {
  const byId = new Map(listings.map((l) => [l.id, l]));
  if (byId.size !== listings.length) throw new Error('evaluateDedupe: listing ids are not unique');
  const seen = new Set<string>();
  for (const group of predicted) {
    for (const id of group) {
      if (!byId.has(id)) throw new Error(`evaluateDedupe: predicted id ${id} is not a labeled listing`);
      if (seen.has(id)) throw new Error(`evaluateDedupe: listing ${id} is in two predicted clusters`);
      seen.add(id);
    }
  }

  const members = new Map<string, string[]>();
  for (const l of listings) members.set(l.cluster, [...(members.get(l.cluster) ?? []), l.id]);
  const actual = pairsOf(members.values());
  const claimed = pairsOf(predicted);

  const bySource = new Map<string, { truePairs: number; predictedPairs: number; correctPairs: number }>();
  const tally = (key: string) => {
    let t = bySource.get(key);
    if (!t) bySource.set(key, (t = { truePairs: 0, predictedPairs: 0, correctPairs: 0 }));
    return t;
  };
  const split = (key: string) => key.split('\u0000') as [string, string];
  const sourcesOf = (key: string) => {
    const [a, b] = split(key);
    return sourcePairKey(byId.get(a)!.source, byId.get(b)!.source);
  };
  const missed: Array<[string, string]> = [];
  const spurious: Array<[string, string]> = [];
  let correct = 0;
  for (const key of actual) {
    const t = tally(sourcesOf(key));
    t.truePairs++;
    if (claimed.has(key)) {
      correct++;
      t.correctPairs++;
    } else missed.push(split(key));
  }
  for (const key of claimed) {
    tally(sourcesOf(key)).predictedPairs++;
    if (!actual.has(key)) spurious.push(split(key));
  }

  const byPattern: DedupeQuality['byPattern'] = {};
  for (const [cluster, ids] of members) {
    for (const pattern of patterns.get(cluster) ?? []) {
      const p = (byPattern[pattern] ??= { truePairs: 0, correctPairs: 0, recall: 1 });
      const inside = pairsOf([ids]);
      p.truePairs += inside.size;
      for (const key of inside) if (claimed.has(key)) p.correctPairs++;
      p.recall = p.truePairs === 0 ? 1 : p.correctPairs / p.truePairs;
    }
  }

  const predictedCluster = new Map<string, number>();
  predicted.forEach((group, i) => group.forEach((id) => predictedCluster.set(id, i)));
  const merged: TrapMerge[] = [];
  for (const trap of traps) {
    const together: Array<[string, string]> = [];
    for (const x of members.get(trap.a) ?? []) {
      for (const y of members.get(trap.b) ?? []) {
        const cx = predictedCluster.get(x);
        if (cx !== undefined && cx === predictedCluster.get(y)) together.push([x, y]);
      }
    }
    if (together.length > 0) merged.push({ ...trap, listings: together });
  }

  const bySourcePair: Record<string, PairFigures> = {};
  for (const key of [...bySource.keys()].sort()) {
    const t = bySource.get(key)!;
    bySourcePair[key] = figures(t.truePairs, t.predictedPairs, t.correctPairs);
  }
  const sortPairs = (pairs: Array<[string, string]>) => pairs.sort((p, q) => (p[0] + p[1] < q[0] + q[1] ? -1 : 1));
  return {
    overall: figures(actual.size, claimed.size, correct),
    bySourcePair,
    byPattern,
    traps: { cases: traps.length, merged },
    missed: sortPairs(missed),
    spurious: sortPairs(spurious),
  };
}

/** What keeps a run from the goals, one line each; empty when it meets them. */
export function goalShortfalls(q: DedupeQuality, goals: typeof DEDUPE_GOALS = DEDUPE_GOALS): string[] {
  const out: string[] = [];
  if (q.overall.f1 < goals.minF1) out.push(`F1 ${q.overall.f1.toFixed(4)} < ${goals.minF1}`);
  for (const [pair, f] of Object.entries(q.bySourcePair)) {
    if (f.f1 < goals.minSourcePairF1) out.push(`${pair}: F1 ${f.f1.toFixed(4)} < ${goals.minSourcePairF1}`);
  }
  if (q.traps.merged.length > goals.maxTrapsMerged) {
    out.push(`${q.traps.merged.length} trap case(s) merged: ${q.traps.merged.map((t) => `${t.kind} ${t.a}/${t.b}`).join(', ')}`);
  }
  return out;
}
