/** The knobs of findDuplicates, their defaults, and their validation. */
import { ValidationError } from '../../errors.js';

export interface DedupeOptions {
  /** Largest start-time difference of a match, in minutes. Default 30. */
  toleranceMinutes?: number;
  /** Smallest combined score of a match. Default 0.8. */
  threshold?: number;
  /** Smallest title similarity of a match. Default 0.7 (0.85 when the venue can't be compared). */
  minTitle?: number;
  /** Smallest venue similarity of a match, when both sides have a venue. Default 0.6. */
  minVenue?: number;
  /** Height of a blocking grid cell in metres. Default 1000. */
  cellMeters?: number;
  /** Cap on comparisons one event makes against one neighbouring list, for pathological blocks. Default 200. */
  maxComparisonsPerEvent?: number;
}

export type ResolvedOptions = Required<DedupeOptions>;

const DEFAULTS: ResolvedOptions = {
  toleranceMinutes: 30,
  threshold: 0.8,
  minTitle: 0.7,
  minVenue: 0.6,
  cellMeters: 1000,
  maxComparisonsPerEvent: 200,
};

/** The options with defaults filled in; a ValidationError names the first option that is not a non-negative number. */
export function resolveOptions(opts: DedupeOptions | undefined): ResolvedOptions {
  const o = { ...DEFAULTS, ...opts };
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(`dedupe option ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  return o;
}
