/**
 * Operator decisions applied to dedupe's clusters (pure). A constraint names two source records
 * (`source:externalId`): `must` joins their clusters, `cannot` keeps them apart, whatever the
 * matcher says, and whatever the records say by the time of the run.
 *
 * The clusters are rebuilt from the matcher's merged pairs: must-links first, then the matched
 * pairs best score first, refusing a join that would put two cannot-linked records, or two
 * records of one source (a source lists distinct events separately), into one cluster. Without
 * must-links every cluster is a part of one the matcher built, so its other rules still hold.
 */
import type { MatchEvidence } from '../../../contracts/dedupe.js';
import type { DuplicatePair } from './clustering.js';

/** The evidence of a pair joined because an operator said so. */
export const OPERATOR_EVIDENCE: MatchEvidence = { score: 1, probability: 1, decision: 'match', fields: [], model: 'operator' };

export interface LinkConstraint {
  a: string;
  b: string;
  kind: 'must' | 'cannot';
}

export interface ConstrainedResult {
  pairs: DuplicatePair[];
  clusters: string[][];
}

/**
 * `ids`: every record compared; `sourceOf`: each id's source; `pairs`: findDuplicates' pairs.
 * Constraints naming a record not in `ids` are ignored (a later run that sees both obeys them).
 */
export function applyConstraints(
  ids: readonly string[],
  sourceOf: (id: string) => string,
  pairs: readonly DuplicatePair[],
  constraints: readonly LinkConstraint[],
): ConstrainedResult {
  const index = new Map(ids.map((id, i) => [id, i]));
  const parent = ids.map((_, i) => i);
  const members = ids.map((_, i) => [i]);
  const cannot = new Set<string>();
  const pairKey = (i: number, j: number) => (i < j ? `${i} ${j}` : `${j} ${i}`);
  for (const c of constraints) {
    const i = index.get(c.a);
    const j = index.get(c.b);
    if (i !== undefined && j !== undefined && c.kind === 'cannot') cannot.add(pairKey(i, j));
  }
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  /** Why i's and j's clusters may not be one; null when they may. */
  const conflict = (ri: number, rj: number, sameSourceAllowed: boolean): string | null => {
    for (const p of members[ri]!) {
      for (const q of members[rj]!) {
        if (cannot.has(pairKey(p, q))) return `operator: ${ids[p]} and ${ids[q]} are different events`;
        if (!sameSourceAllowed && sourceOf(ids[p]!) === sourceOf(ids[q]!)) return `${sourceOf(ids[p]!)} already in cluster`;
      }
    }
    return null;
  };
  const union = (i: number, j: number, operator: boolean): string | null => {
    let ri = find(i);
    let rj = find(j);
    if (ri === rj) return null;
    const why = conflict(ri, rj, operator);
    if (why !== null) return why;
    if (members[ri]!.length < members[rj]!.length) [ri, rj] = [rj, ri];
    parent[rj] = ri;
    members[ri]!.push(...members[rj]!);
    members[rj] = [];
    return null;
  };

  const out: DuplicatePair[] = [];
  for (const c of constraints) {
    if (c.kind !== 'must') continue;
    const i = index.get(c.a);
    const j = index.get(c.b);
    if (i === undefined || j === undefined) continue;
    const refused = union(i, j, true);
    const [a, b] = c.a < c.b ? [c.a, c.b] : [c.b, c.a];
    const reasons = ['operator: same event', ...(refused ? [`not merged: ${refused}`] : [])];
    // evidence rides along for evidenceOf (dedupe/evidence.ts), which prefers it to the score
    out.push(Object.assign({ a, b, score: 1, reasons, merged: refused === null }, { evidence: OPERATOR_EVIDENCE }));
  }
  const byScore = [...pairs].sort((p, q) => q.score - p.score || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : 1));
  for (const p of byScore) {
    if (!p.merged) {
      out.push(p);
      continue;
    }
    const i = index.get(p.a)!;
    const j = index.get(p.b)!;
    const refused = union(i, j, false);
    out.push(refused === null ? p : { ...p, reasons: [...p.reasons, `not merged: ${refused}`], merged: false });
  }
  out.sort((p, q) => (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0));

  const groups = new Map<number, string[]>();
  ids.forEach((id, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(id);
    else groups.set(root, [id]);
  });
  const clusters = [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort())
    .sort((p, q) => (p[0]! < q[0]! ? -1 : 1));
  return { pairs: out, clusters };
}
