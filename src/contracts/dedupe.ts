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

// ---- operations: review queue, unmerge, lineage (HTTP API, dashboard, service) -----------

/** One side of a pair: a source record as its source wrote it, and the event hosting it now. */
export interface ReviewRecord {
  source: string;
  externalId: string;
  /** the event that hosts the record now */
  eventId: string | null;
  title: string | null;
  startsAt: string | null;
  allDay: boolean | null;
  timezone: string | null;
  venueName: string | null;
  address: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  url: string | null;
}

export interface ReviewItem {
  pairId: string;
  a: ReviewRecord;
  b: ReviewRecord;
  score: number;
  evidence: MatchEvidence;
  status: 'pending' | 'decided';
  decision: ReviewDecision['decision'] | null;
  createdAt: string;
  decidedAt: string | null;
}

export const reviewListQuerySchema = z.strictObject({
  status: z.enum(['pending', 'decided']).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(500))
    .optional(),
});
export type ReviewListQuery = z.output<typeof reviewListQuerySchema>;

export const pairIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a pair id from GET /api/review');

/** `POST /api/events/:id/unmerge`: the source record to split out of the event. */
export const unmergeRequestSchema = z.strictObject({
  source: z.string().min(1).max(64),
  externalId: z.string().min(1).max(2048),
});
export type UnmergeRequest = z.infer<typeof unmergeRequestSchema>;

export interface ReviewDecisionResult {
  pairId: string;
  decision: ReviewDecision['decision'];
  /** the events hosting the pair's two records after the decision was applied */
  eventIds: [string | null, string | null];
}

export interface UnmergeResult {
  /** the event the record was split out of */
  eventId: string;
  source: string;
  externalId: string;
  /** the event hosting the record now (its own origin event, unless it matched another) */
  nowHostedBy: string | null;
}

export interface LineageEntry {
  at: string;
  action: 'merge' | 'split' | 'unmerge' | 'review';
  eventId: string;
  otherId: string | null;
  source: string | null;
  externalId: string | null;
  detail: unknown;
}

export interface EventLink {
  id: string;
  title: string;
  startsAt: string;
}

/** `GET /api/events/:id`: the event as the catalogue shows it, with how it came to be. */
export interface EventDetail {
  event: Record<string, unknown> & { id: string };
  /** every merged pair of its records with the matcher's evidence */
  evidence: Array<{ a: string; b: string; score: number; evidence: MatchEvidence }>;
  parent: EventLink | null;
  children: EventLink[];
  history: LineageEntry[];
}

/** What getEventDetail found: the event, or the event an id merged away now lives in. */
export type EventLookup = { kind: 'event'; detail: EventDetail } | { kind: 'moved'; to: string } | null;

/** Counts for /metrics, read from the database (so every replica and worker counts). */
export interface DedupeStats {
  reviewPending: number;
  reviewDecisions: { same: number; different: number };
  merges: number;
  /** restorations by dedupe ('split') and by operators ('unmerge') */
  unmerges: { dedupe: number; operator: number };
}

/** The catalogue's dedupe operations, as the HTTP API and CLI use them. */
export interface DedupeOperations {
  getEventDetail(id: string): Promise<EventLookup>;
  listReview(query?: ReviewListQuery): Promise<{ items: ReviewItem[] }>;
  decideReview(pairId: string, decision: ReviewDecision['decision']): Promise<ReviewDecisionResult>;
  unmergeEvent(eventId: string, request: UnmergeRequest): Promise<UnmergeResult>;
  stats(): Promise<DedupeStats>;
}

// ---- the labeled set's last benchmark (bench:dedupe writes it, /metrics reads it) -------

const figures = { precision: z.number().min(0).max(1), recall: z.number().min(0).max(1), f1: z.number().min(0).max(1) };
export const dedupeBenchmarkSchema = z.object({
  measuredAt: z.string(),
  /** what was measured, e.g. 'test/fixtures/dedupe' */
  labeledSet: z.string(),
  overall: z.object(figures),
  /** as the benchmark names it, e.g. 'eventbrite+ticketmaster' */
  sourcePairs: z.array(z.object({ pair: z.string(), ...figures })),
  trapsMerged: z.number().int().min(0),
});
export type DedupeBenchmark = z.infer<typeof dedupeBenchmarkSchema>;
