/**
 * What dedupe tells about a pair of source records (glossary: cluster, survivor): the per-field
 * evidence, the total score and the decision. The matcher produces it, the catalogue stores it
 * with each merge and each review item, and `GET /api/events/:id` and `GET /api/review` show it.
 */
import { z } from 'zod';
import { canonicalEventSchema } from './events.js';

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
}).meta({ id: 'FieldEvidence' });
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
}).meta({ id: 'MatchEvidence' });
export type MatchEvidence = z.infer<typeof matchEvidenceSchema>;

/** An operator's decision on a pair, stored as a must-link or cannot-link constraint. */
export const REVIEW_DECISIONS = ['same', 'different'] as const;
export const reviewDecisionSchema = z.object({ decision: z.enum(REVIEW_DECISIONS) }).strict();
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

// ---- operations: review queue, unmerge, lineage (HTTP API, dashboard, service) -----------
// The answers are zod schemas (the OpenAPI document's source) with the types inferred from them.

const isoInstant = z.string().meta({ format: 'date-time' });
const eventId = z.guid();

/** One side of a pair: a source record as its source wrote it, and the event hosting it now. */
export const reviewRecordSchema = z
  .object({
    source: z.string(),
    externalId: z.string(),
    /** the event that hosts the record now */
    eventId: eventId.nullable().meta({ description: 'the event that hosts the record now' }),
    title: z.string().nullable(),
    startsAt: isoInstant.nullable(),
    allDay: z.boolean().nullable(),
    timezone: z.string().nullable(),
    venueName: z.string().nullable(),
    address: z.string().nullable(),
    city: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    url: z.string().nullable(),
  })
  .meta({ id: 'ReviewRecord' });
export type ReviewRecord = z.output<typeof reviewRecordSchema>;

/** `pending`: waiting for an operator; `decided`: an operator answered. */
export const REVIEW_STATUSES = ['pending', 'decided'] as const;

/** A pair the matcher was unsure of, with its evidence, and the operator's decision once made. */
export const reviewItemSchema = z
  .object({
    pairId: z.string(),
    a: reviewRecordSchema,
    b: reviewRecordSchema,
    score: z.number(),
    evidence: matchEvidenceSchema,
    status: z.enum(REVIEW_STATUSES),
    decision: z.enum(REVIEW_DECISIONS).nullable(),
    createdAt: isoInstant,
    decidedAt: isoInstant.nullable(),
  })
  .meta({ id: 'ReviewItem' });
export type ReviewItem = z.output<typeof reviewItemSchema>;

/** `GET /api/review`. */
export const reviewListSchema = z.object({ items: z.array(reviewItemSchema) }).meta({ id: 'ReviewList' });
export type ReviewList = z.output<typeof reviewListSchema>;

export const reviewListQuerySchema = z.strictObject({
  status: z.enum(REVIEW_STATUSES).optional().meta({ description: '`pending` (the default) or `decided` pairs' }),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(500))
    .optional()
    .meta({ description: 'at most this many pairs, 1..500; default 100' }),
});
export type ReviewListQuery = z.output<typeof reviewListQuerySchema>;

export const pairIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a pair id from GET /api/review');

/** `POST /api/events/:id/unmerge`: the source record to split out of the event. */
export const unmergeRequestSchema = z.strictObject({
  source: z.string().min(1).max(64),
  externalId: z.string().min(1).max(2048),
});
export type UnmergeRequest = z.infer<typeof unmergeRequestSchema>;

/** `POST /api/review/:pairId`. */
export const reviewDecisionResultSchema = z
  .object({
    pairId: z.string(),
    decision: z.enum(REVIEW_DECISIONS),
    /** the events hosting the pair's two records after the decision was applied */
    eventIds: z
      .tuple([eventId.nullable(), eventId.nullable()])
      .meta({ description: "the events hosting the pair's two records after the decision was applied" }),
  })
  .meta({ id: 'ReviewDecisionResult' });
export type ReviewDecisionResult = z.output<typeof reviewDecisionResultSchema>;

/** `POST /api/events/:id/unmerge`. */
export const unmergeResultSchema = z
  .object({
    /** the event the record was split out of */
    eventId: eventId.meta({ description: 'the event the record was split out of' }),
    source: z.string(),
    externalId: z.string(),
    /** the event hosting the record now (its own origin event, unless it matched another) */
    nowHostedBy: eventId.nullable().meta({ description: 'the event hosting the record now (its own origin event, unless it matched another)' }),
  })
  .meta({ id: 'UnmergeResult' });
export type UnmergeResult = z.output<typeof unmergeResultSchema>;

/** What happened to an event: merges and splits by dedupe, unmerges and review decisions by operators. */
export const LINEAGE_ACTIONS = ['merge', 'split', 'unmerge', 'review'] as const;

export const lineageEntrySchema = z
  .object({
    at: isoInstant,
    action: z.enum(LINEAGE_ACTIONS),
    eventId,
    otherId: eventId.nullable(),
    source: z.string().nullable(),
    externalId: z.string().nullable(),
    detail: z.unknown(),
  })
  .meta({ id: 'LineageEntry' });
export type LineageEntry = z.output<typeof lineageEntrySchema>;

/** A parent or child event, as the detail links it. */
export const eventLinkSchema = z.object({ id: eventId, title: z.string(), startsAt: isoInstant }).meta({ id: 'EventLink' });
export type EventLink = z.output<typeof eventLinkSchema>;

/** `GET /api/events/:id`: the event as the catalogue shows it, with how it came to be. */
export const eventDetailSchema = z
  .object({
    /** the canonical event with its sources, and the umbrella event holding it */
    event: z.intersection(
      canonicalEventSchema,
      z.looseObject({ parentId: eventId.nullable().meta({ description: 'the umbrella event (festival, multi-day run) holding this one' }) }),
    ),
    /** every merged pair of its records with the matcher's evidence */
    evidence: z
      .array(z.object({ a: z.string(), b: z.string(), score: z.number(), evidence: matchEvidenceSchema }))
      .meta({ description: "every merged pair of its records (`source:externalId`) with the matcher's evidence" }),
    parent: eventLinkSchema.nullable(),
    children: z.array(eventLinkSchema),
    /** oldest first */
    history: z.array(lineageEntrySchema),
  })
  .meta({ id: 'EventDetail' });
export type EventDetail = z.output<typeof eventDetailSchema>;

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
  listReview(query?: ReviewListQuery): Promise<ReviewList>;
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
