/**
 * Estimating the match model (model.ts) from labeled events, as Splink does with labels. The
 * population is every pair of listings of two different sources found for one city (dedupe
 * runs city by city): each pair's field levels are counted, separately for true duplicates (m)
 * and for different events (u), with add-one smoothing, and the prior is the share of true
 * duplicates among them. Pairs whose starts are too far apart count in the time field's
 * "beyond-tolerance" level, which scoring never weighs (a hard rule rules them out first).
 * Missing values are not counted: the missing level weighs 0 and m/u of the other levels are
 * shares among pairs where both sides have the value.
 *
 * The levels themselves (names and bounds) come from a template weights file, so changing a band
 * is an edit to config/dedupe-weights.json followed by `npm run dedupe:estimate`.
 */
import { featuresOf, type DedupeEvent } from './features.js';
import { MODEL_FIELDS, levelFamily, modelFromWeights, type ModelField, type WeightsFile } from './model.js';
import { resolveOptions } from './options.js';
import { compareFields, compareSources, compareSpans, fieldEvidence } from './scoring.js';

/** An event with its label: events with the same label are the same real-world event. */
export type LabeledEvent = DedupeEvent & { label: string; cityId: string };

export interface LevelCounts {
  /** pairs of one city's listings from two sources (parent and child and clashing markers aside) */
  pairs: number;
  /** of those, true duplicates */
  matches: number;
  /** per field and level: [true duplicates, different events] */
  counts: Record<ModelField, Record<string, [number, number]>>;
}

/** Counts the field levels of the pairs of `events`, read with the template's levels. */
export function countLevels(events: readonly LabeledEvent[], template: WeightsFile): LevelCounts {
  const o = resolveOptions({ model: modelFromWeights(template, 'template weights') });
  const F = events.map(featuresOf);
  const counts = Object.fromEntries(MODEL_FIELDS.map((f) => [f, Object.fromEntries(template.fields[f].map((l) => [l.level, [0, 0]]))])) as LevelCounts['counts'];
  let pairs = 0;
  let matches = 0;
  for (let i = 0; i < F.length; i++) {
    for (let j = i + 1; j < F.length; j++) {
      const a = F[i]!;
      const b = F[j]!;
      if (events[i]!.cityId !== events[j]!.cityId || compareSources(a, b) !== 'different' || compareSpans(a, b) !== null) continue;
      const e = compareFields(a, b, o.toleranceMinutes);
      if (e.markers === 'conflict') continue;
      const same = events[i]!.label === events[j]!.label;
      pairs++;
      if (same) matches++;
      for (const f of fieldEvidence(a, b, e, o.model, false)) counts[f.field as ModelField][f.level]![same ? 0 : 1]++;
    }
  }
  return { pairs, matches, counts };
}

/**
 * A weights file like `template`, with m, u and the prior estimated from `events`. Thresholds
 * are kept from the template unless given.
 */
export function estimateWeights(
  events: readonly LabeledEvent[],
  template: WeightsFile,
  meta: { version: string; estimatedFrom?: Record<string, unknown>; thresholds?: WeightsFile['thresholds']; smoothing?: number },
): { weights: WeightsFile; counts: LevelCounts } {
  const counts = countLevels(events, template);
  if (counts.matches === 0 || counts.matches === counts.pairs) {
    throw new Error(`estimateWeights: need both true duplicates and different events among candidate pairs (${counts.matches} of ${counts.pairs})`);
  }
  const alpha = meta.smoothing ?? 1;
  const round = (x: number) => Number(x.toPrecision(4));
  const fields = {} as WeightsFile['fields'];
  for (const field of MODEL_FIELDS) {
    const levels = template.fields[field];
    const c = counts.counts[field];
    fields[field] = levels.map((l) => {
      if (l.level === 'missing') return { ...l, m: null, u: null };
      if (l.fixed) return l;
      // Shares within the level's family (see levelFamily), add-one smoothed; a level no pair
      // fell in says nothing and weighs 0.
      const family = levels.filter((k) => k.level !== 'missing' && levelFamily(k.level) === levelFamily(l.level));
      const totalM = family.reduce((n, k) => n + c[k.level]![0], 0);
      const totalU = family.reduce((n, k) => n + c[k.level]![1], 0);
      const [m, u] = c[l.level]!;
      if (m + u === 0) return { ...l, m: round(1 / family.length), u: round(1 / family.length) };
      return { ...l, m: round((m + alpha) / (totalM + alpha * family.length)), u: round((u + alpha) / (totalU + alpha * family.length)) };
    });
  }
  const weights: WeightsFile = {
    version: meta.version,
    ...(template.description ? { description: template.description } : {}),
    ...(template.genericTitleWords ? { genericTitleWords: template.genericTitleWords } : {}),
    ...(template.neverMerge ? { neverMerge: template.neverMerge } : {}),
    estimatedFrom: { ...meta.estimatedFrom, pairs: counts.pairs, trueDuplicatePairs: counts.matches },
    toleranceMinutes: template.toleranceMinutes,
    ...(template.blockingMinutes !== undefined ? { blockingMinutes: template.blockingMinutes } : {}),
    prior: Number((counts.matches / counts.pairs).toPrecision(4)),
    thresholds: meta.thresholds ?? template.thresholds,
    fields,
  };
  return { weights, counts };
}
