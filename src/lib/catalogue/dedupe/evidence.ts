/**
 * A pair's MatchEvidence (src/contracts/dedupe.ts), the one shape the catalogue stores with each
 * merge and review item and the API shows, and the pairs dedupe is unsure of.
 *
 * The matcher attaches `evidence` to a PairScore when it has one. Until it does, `evidenceOf`
 * builds the evidence from the PairScore's score, match flag and reasons: this is the only place
 * that knows the older shape, so nothing else changes when the matcher's own evidence arrives.
 */
import { createHash } from 'node:crypto';
import type { EvidenceField, FieldEvidence, MatchEvidence, PairDecision } from '../../../contracts/dedupe.js';
import { resolveOptions } from './options.js';

/** What a scored pair may carry: the matcher's evidence, or the older score, flag and reasons. */
export interface ScoredPair {
  score: number;
  match?: boolean;
  merged?: boolean;
  reasons: string[];
  evidence?: MatchEvidence;
}

/**
 * The review band of a score that carries no decision of its own: a pair that did not match but
 * scored at least this share of the match threshold goes to an operator. (The hand-set score is
 * 0..1 with same venue and time alone worth 0.45, so a wider band would queue every two rooms
 * of one venue on the same night.)
 */
export const REVIEW_BAND_FROM = 0.85;
/** Names the evidence built by `evidenceOf` from a score without evidence. */
export const FALLBACK_MODEL = 'hand-set-rule';

const FIELD_OF: Array<[RegExp, EvidenceField]> = [
  [/^title\b/, 'title'],
  [/^venue\b/, 'venue'],
  [/^distance\b/, 'geo'],
  [/^(start|both all-day|all-day vs|different local days)/, 'time'],
  [/^session markers\b/, 'markers'],
  [/^same (record|source)\b/, 'source'],
];

function fieldsOf(reasons: readonly string[]): FieldEvidence[] {
  const out: FieldEvidence[] = [];
  for (const reason of reasons) {
    const field = FIELD_OF.find(([re]) => re.test(reason))?.[1];
    if (!field) continue;
    const below = /\bbelow (\d+(?:\.\d+)?)/.exec(reason);
    const level = below ? `below ${below[1]}` : /^[a-z ]+?\s(-?\d+(?:\.\d+)?)/.exec(reason)?.[1] ?? reason.replace(/\s*\(.*$/, '');
    out.push({ field, level, weight: 0, detail: reason });
  }
  return out;
}

/** The pair's evidence: the matcher's own when it gave one, else built from score and reasons. */
export function evidenceOf(pair: ScoredPair, threshold = resolveOptions(undefined).threshold): MatchEvidence {
  if (pair.evidence) return pair.evidence;
  const matched = pair.match ?? pair.merged ?? false;
  const decision: PairDecision = matched ? 'match' : pair.score > 0 && pair.score >= REVIEW_BAND_FROM * threshold ? 'review' : 'distinct';
  return {
    score: pair.score,
    probability: Math.min(1, Math.max(0, pair.score)),
    decision,
    fields: fieldsOf(pair.reasons),
    model: FALLBACK_MODEL,
  };
}

/** `source:externalId`, the key constraints and review items name records by. */
export const recordKey = (source: string, externalId: string) => `${source}:${externalId}`;

/** The pair's stable id: the same two records give the same id whatever their order. */
export function pairIdOf(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return createHash('sha1').update(`${x}\n${y}`).digest('base64url').slice(0, 22);
}

export interface UncertainPair {
  /** ids as given, a < b */
  a: string;
  b: string;
  score: number;
  evidence: MatchEvidence;
}
