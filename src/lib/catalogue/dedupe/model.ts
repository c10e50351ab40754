/**
 * Dedupe's match model: Fellegi–Sunter weights, as Splink uses them, kept as data in
 * `config/dedupe-weights.json` (under version control) and loaded once.
 *
 * Each field comparison of a pair (scoring.ts) lands in one *level* of that field: a title
 * similarity band, a distance band, a start-time band, "missing"... Each level has an m
 * probability (how often true duplicates land there) and a u probability (how often different
 * events that blocking put side by side land there); the level's weight is log2(m/u), the
 * evidence it gives for "same event" in bits. A pair's score is the prior log2 odds plus its
 * levels' weights, and its probability is 2^score / (1 + 2^score). A missing value (no
 * coordinates, no venue name) weighs 0: it says nothing either way.
 *
 * The decision reads the probability against two thresholds of the file: at or above `match`
 * the pair is merged, from `review` up to `match` it goes to an operator, below it is distinct.
 * `npm run dedupe:estimate` (bench/dedupe-estimate.ts, with estimate.ts) re-estimates m, u, the
 * prior and the thresholds from the labeled set in test/fixtures/dedupe/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EvidenceField } from '../../../contracts/dedupe.js';
import { ValidationError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { foldText } from './fold-text.js';

/** The fields the model weighs, in the order evidence lists them. */
export const MODEL_FIELDS = ['title', 'venue', 'geo', 'time', 'markers', 'city'] as const satisfies readonly EvidenceField[];
export type ModelField = (typeof MODEL_FIELDS)[number];

const levelSchema = z.object({
  level: z.string().min(1),
  /** numeric levels: the measurement is at least this (similarities)... */
  atLeast: z.number().optional(),
  /** ...or at most this (distances, minutes) */
  atMost: z.number().optional(),
  /** share of true duplicates in this level; null for "missing" (weight 0) */
  m: z.number().gt(0).max(1).nullable(),
  /** share of different events in this level; null for "missing" (weight 0) */
  u: z.number().gt(0).max(1).nullable(),
  /** set by hand, not re-estimated (a level the labeled set has no pairs in) */
  fixed: z.boolean().optional(),
  /** why the level is fixed, or what it means */
  note: z.string().optional(),
}).strict();

export const weightsFileSchema = z.object({
  version: z.string().min(1),
  description: z.string().optional(),
  /** what the m/u were estimated from, for people */
  estimatedFrom: z.record(z.string(), z.unknown()).optional(),
  /** largest start difference (minutes) of two timed listings that can be one event: a hard rule */
  toleranceMinutes: z.number().nonnegative(),
  /**
   * Largest start difference (minutes) of two timed listings blocking compares at all (default:
   * toleranceMinutes). Pairs between this and toleranceMinutes are never scored, so they can't
   * even reach review; set it to the widest time band neverMerge does not stop, and such pairs
   * cost nothing.
   */
  blockingMinutes: z.number().nonnegative().optional(),
  /**
   * Words of generic titles ("Trivia Night", "Open Mic", "Karaoke"): two titles made only of
   * these say little, as every bar runs one; such a pair's title falls in the "generic" level.
   */
  genericTitleWords: z.array(z.string().min(1)).default([]),
  /**
   * Combinations of levels that stop an automatic merge, whatever the score: a pair whose
   * fields fall in every level of one combination is at most sent to review. E.g. titles that
   * share nothing: the venue and the time may say "same event", but a person should look
   * before two differently named listings become one.
   */
  neverMerge: z.array(z.array(z.object({ field: z.enum(MODEL_FIELDS), level: z.string().min(1) }).strict()).min(1)).default([]),
  /** probability of a match among a city's pairs of listings before any field is compared */
  prior: z.number().gt(0).lt(1),
  thresholds: z.object({ match: z.number().gt(0).lt(1), review: z.number().gt(0).lt(1) }).strict()
    .refine((t) => t.review <= t.match, { message: 'review must not exceed match' }),
  fields: z.object(Object.fromEntries(MODEL_FIELDS.map((f) => [f, z.array(levelSchema).min(1)])) as Record<ModelField, z.ZodArray<typeof levelSchema>>).strict(),
}).strict();
export type WeightsFile = z.input<typeof weightsFileSchema>;

export interface ModelLevel {
  field: ModelField;
  level: string;
  atLeast?: number;
  atMost?: number;
  /** log2(m/u); 0 when m or u is null */
  weight: number;
}

/** A loaded weights file, with each level's weight worked out. */
export interface DedupeModel {
  version: string;
  toleranceMinutes: number;
  blockingMinutes: number;
  /** log2 odds of the prior */
  priorScore: number;
  thresholds: { match: number; review: number };
  levels: Record<ModelField, ModelLevel[]>;
  /** combinations of "field:level" keys that stop an automatic merge (see the file's neverMerge) */
  neverMerge: ReadonlyArray<readonly string[]>;
  /** folded words of generic titles (see the file's genericTitleWords) */
  genericTitleWords: ReadonlySet<string>;
  file: WeightsFile;
}

export const DEFAULT_WEIGHTS_PATH = path.join(packageRoot(), 'config', 'dedupe-weights.json');

/** A model from a weights file's content; a ValidationError names the first bad field. */
export function modelFromWeights(data: unknown, where = 'dedupe weights'): DedupeModel {
  const parsed = weightsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`${where}: invalid field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const file = parsed.data;
  const levels = {} as Record<ModelField, ModelLevel[]>;
  for (const field of MODEL_FIELDS) {
    levels[field] = file.fields[field].map((l) => ({
      field,
      level: l.level,
      ...(l.atLeast !== undefined ? { atLeast: l.atLeast } : {}),
      ...(l.atMost !== undefined ? { atMost: l.atMost } : {}),
      weight: l.m === null || l.u === null ? 0 : Math.log2(l.m / l.u),
    }));
  }
  return {
    version: file.version,
    toleranceMinutes: file.toleranceMinutes,
    blockingMinutes: Math.min(file.blockingMinutes ?? file.toleranceMinutes, file.toleranceMinutes),
    priorScore: Math.log2(file.prior / (1 - file.prior)),
    thresholds: file.thresholds,
    levels,
    neverMerge: file.neverMerge.map((combo) => combo.map((n) => `${n.field}:${n.level}`)),
    genericTitleWords: new Set(file.genericTitleWords.map((w) => foldText(w))),
    file,
  };
}

const loaded = new Map<string, DedupeModel>();

/** The model in a weights file (default: config/dedupe-weights.json), read once per path. */
export function loadModel(file: string = DEFAULT_WEIGHTS_PATH): DedupeModel {
  let model = loaded.get(file);
  if (!model) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ValidationError(`dedupe weights: cannot read ${file}: ${(err as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ValidationError(`dedupe weights: ${file} is not JSON: ${(err as Error).message}`);
    }
    loaded.set(file, (model = modelFromWeights(data, `dedupe weights ${file}`)));
  }
  return model;
}

/**
 * The level a measurement falls in: a named level (`"missing"`, `"both-all-day"`...) by name, a
 * number in the first level whose bound it meets (`atLeast` for similarities, `atMost` for
 * distances), else the field's last unbounded level.
 */
export function levelOf(model: DedupeModel, field: ModelField, value: number | string | null): ModelLevel {
  const levels = model.levels[field];
  if (value === null) value = 'missing';
  if (typeof value === 'string') {
    const named = levels.find((l) => l.level === value);
    if (!named) throw new ValidationError(`dedupe weights: field ${field} has no level "${value}"`);
    return named;
  }
  let fallback: ModelLevel | undefined;
  for (const l of levels) {
    if (l.level.startsWith('names-differ-') || l.level.startsWith('names-agree-')) continue;
    if (l.atLeast !== undefined) {
      if (value >= l.atLeast) return l;
    } else if (l.atMost !== undefined) {
      if (value <= l.atMost) return l;
    } else if (!NAMED_ONLY.has(l.level)) {
      fallback = l;
    }
  }
  if (!fallback) throw new ValidationError(`dedupe weights: field ${field} has no level for ${value}`);
  return fallback;
}

/** Levels of numeric fields only ever chosen by name, never as the fallback for a number. */
const NAMED_ONLY = new Set(['missing', 'both-all-day', 'all-day-vs-timed', 'beyond-tolerance', 'numbers-differ', 'generic']);

/**
 * The family a level's m and u are shares within: the geo field's "names-agree-*" and
 * "names-differ-*" levels are distances GIVEN the venue outcome (P(geo | venue)), so that venue
 * and distance, which go together, are not counted twice. Every other level: its whole field.
 */
export function levelFamily(level: string): string {
  const m = /^(names-agree|names-differ)-/.exec(level);
  return m ? m[1]! : '';
}

/** The first neverMerge combination all of whose levels the fields fall in, as "field level" strings; null when none. */
export function mergeVeto(model: DedupeModel, fields: ReadonlyArray<{ field: string; level: string }>): string[] | null {
  for (const combo of model.neverMerge) {
    if (combo.every((key) => fields.some((f) => key.length === f.field.length + 1 + f.level.length && key === `${f.field}:${f.level}`))) {
      return combo.map((k) => k.replace(':', ' '));
    }
  }
  return null;
}

/** Match probability of a log2-odds score. */
export function probabilityOf(score: number): number {
  return 1 / (1 + 2 ** -score);
}
