/** The knobs of findDuplicates, their defaults, and their validation. */
import { ValidationError } from '../../errors.js';
import { loadModel, type DedupeModel } from './model.js';

export interface DedupeOptions {
  /** Largest start-time difference of two timed listings that can be one event, in minutes. Default: the weights file's (180). */
  toleranceMinutes?: number;
  /** Largest start difference of two timed listings that are compared at all, in minutes. Default: the weights file's `blockingMinutes` (at most toleranceMinutes). */
  blockingMinutes?: number;
  /** Smallest match probability of a merge. Default: the weights file's `thresholds.match`. */
  threshold?: number;
  /** Smallest match probability sent to review rather than called distinct. Default: the weights file's `thresholds.review`. */
  reviewThreshold?: number;
  /** Height of a blocking grid cell in metres. Default 1000. */
  cellMeters?: number;
  /** Cap on comparisons one event makes against one neighbouring list, for pathological blocks. Default 200. */
  maxComparisonsPerEvent?: number;
  /** The match model. Default: config/dedupe-weights.json (model.ts). */
  model?: DedupeModel;
}

export type ResolvedOptions = Required<DedupeOptions>;

const DEFAULTS = { cellMeters: 1000, maxComparisonsPerEvent: 200 };

/** The options with defaults filled in; a ValidationError names the first option that is not a non-negative number. */
export function resolveOptions(opts: DedupeOptions | undefined): ResolvedOptions {
  const { model: given, ...numbers } = opts ?? {};
  const model = given ?? loadModel();
  const o = {
    toleranceMinutes: model.toleranceMinutes,
    blockingMinutes: Math.min(model.blockingMinutes, numbers.toleranceMinutes ?? model.toleranceMinutes),
    threshold: model.thresholds.match,
    reviewThreshold: model.thresholds.review,
    ...DEFAULTS,
    ...numbers,
  };
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(`dedupe option ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (o.threshold > 1 || o.reviewThreshold > 1) throw new ValidationError('dedupe options threshold and reviewThreshold are probabilities (0..1)');
  return { ...o, model };
}
