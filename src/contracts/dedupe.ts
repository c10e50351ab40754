/**
 * What dedupe tells about a pair of source records (glossary: cluster, survivor): the per-field
 * evidence, the total score and the decision. The matcher produces it, the catalogue stores it
 * with each merge and each review item, and `GET /api/events/:id` and `GET /api/review` show it.
 */
import { z } from 'zod';

/** The field comparisons the matcher weighs. */
export const EVIDENCE_FIELDS = ['title', 'venue', 'time', 'markers', 'geo', 'city', 'source', 'category'] as const;
export type EvidenceField = (typeof EVIDENCE_FIELDS)[number];

/**
 * - `match`: same real-world event, merged;
 * - `review`: uncertain band, queued for an operator;
 * - `distinct`: different events;
 * - `parent`: one record is an umbrella listing (festival, multi-day run) holding the other.
 */
export const PAIR_DECISIONS = ['match', 'review', 'distinct', 'parent'] as const;
export type PairDecision = (typeof PAIR_DECISIONS)[number];

export const fieldEvidenceSchema = z.object({
  field: z.enum(EVIDENCE_FIELDS),
  /** the comparison level this pair fell in, e.g. "exact", "fuzzy-0.85", "within-500m", "missing" */
  level: z.string(),
  /** log2 Bayes factor m/u this level contributes (0 for missing values) */
  weight: z.number(),
  /** what was compared, for people: `"BJÖRK" ~ "Bjork"` */
  detail: z.string().optional(),
});
export type FieldEvidence = z.infer<typeof fieldEvidenceSchema>;

export const matchEvidenceSchema = z.object({
  /** sum of the prior and the field weights (log2 odds) */
  score: z.number(),
  /** the score's match probability, 0..1 */
  probability: z.number().min(0).max(1),
  decision: z.enum(PAIR_DECISIONS),
  fields: z.array(fieldEvidenceSchema),
  /** the weights file's version that scored this pair */
  model: z.string(),
});
export type MatchEvidence = z.infer<typeof matchEvidenceSchema>;

/** An operator's decision on a pair, stored as a must-link or cannot-link constraint. */
export const REVIEW_DECISIONS = ['same', 'different'] as const;
export const reviewDecisionSchema = z.object({ decision: z.enum(REVIEW_DECISIONS) }).strict();
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;
