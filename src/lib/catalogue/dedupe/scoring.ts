/**
 * Dedupe's scoring stage: whether two events are one, in two steps that can change apart.
 *
 * 1. Field comparisons. One function per field, each reading that field of both events'
 *    features and saying what it found: a level ('conflict', 'beyond-tolerance', 'same'...) or
 *    a measurement (a similarity in 0..1, a distance in metres), never a verdict on the pair.
 *    Three are hard rules: a pair of one source, with clashing session markers, or with starts
 *    beyond the tolerance (all-day listings: on different local days) is never one event, and
 *    the fields after the failed rule are not compared. Clustering applies the same hard rules
 *    to whole clusters (clustering.ts).
 * 2. The decision, from hand-set weights and thresholds:
 *      score = 0.55·title + 0.25·venue + 0.20·start   (title and start rescaled when venue unknown)
 *      match = score ≥ 0.8 and title ≥ 0.7 (0.85 without venue) and venue ≥ 0.6 (when known)
 *    where title is the titles' textSimilarity, venue mixes the names' similarity (70%) and
 *    distance (30%: 1 up to 100 m, 0 from 1 km) when both have coordinates, and start is
 *    1 − 0.5·Δ/tolerance (1 for two all-day listings, 0.6 for all-day vs timed on one day).
 *    The city comparison is not weighed: blocking already keeps a pair without coordinates
 *    to one city.
 * A different decision (say, per-field weights estimated from labelled pairs) replaces `decide`
 * and reads the same comparisons.
 */
import { featuresOf, type DedupeEvent, type Features } from './features.js';
import { resolveOptions, type DedupeOptions, type ResolvedOptions } from './options.js';
import { markersConflict } from './session-markers.js';
import { textSimilarity } from './text-similarity.js';

// ---- field comparisons ------------------------------------------------------------------

/** 'same-record' and 'same-source' fail a hard rule: a source lists distinct events separately. */
export type SourceLevel = 'same-record' | 'same-source' | 'different';

export function compareSources(a: Features, b: Features): SourceLevel {
  if (a.source !== b.source) return 'different';
  return a.externalId === b.externalId ? 'same-record' : 'same-source';
}

/**
 * 'conflict' (early vs late, Night 1 vs Night 2...: see markersConflict) fails a hard rule;
 * 'compatible' is markers on both sides that name no different session.
 */
export type MarkerLevel = 'none' | 'one-side' | 'compatible' | 'conflict';

export function compareSessionMarkers(a: Features, b: Features): MarkerLevel {
  if (a.markers.length === 0) return b.markers.length === 0 ? 'none' : 'one-side';
  if (b.markers.length === 0) return 'one-side';
  return markersConflict(a.markers, b.markers) ? 'conflict' : 'compatible';
}

/** 'different-days' and 'beyond-tolerance' fail a hard rule. */
export type TimeLevel = 'within-tolerance' | 'beyond-tolerance' | 'both-all-day' | 'all-day-vs-timed' | 'different-days';

export interface TimeComparison {
  level: TimeLevel;
  /** Minutes between two timed starts; null when either listing is all-day. */
  deltaMinutes: number | null;
}

/** Timed starts compare by minutes apart; an all-day listing compares by local day, as it fits any time that day. */
export function compareTime(a: Features, b: Features, toleranceMinutes: number): TimeComparison {
  if (a.allDay || b.allDay) {
    if (a.day !== b.day) return { level: 'different-days', deltaMinutes: null };
    return { level: a.allDay && b.allDay ? 'both-all-day' : 'all-day-vs-timed', deltaMinutes: null };
  }
  const deltaMinutes = Math.abs(a.startMs - b.startMs) / 60_000;
  return { level: deltaMinutes > toleranceMinutes ? 'beyond-tolerance' : 'within-tolerance', deltaMinutes };
}

/** Similarity of the normalized titles, 0..1. */
export function compareTitle(a: Features, b: Features): number {
  return textSimilarity(a.title, b.title);
}

/** Similarity of the normalized venue names, 0..1; null when either side names no venue. */
export function compareVenueNames(a: Features, b: Features): number | null {
  return a.venue && b.venue ? textSimilarity(a.venue, b.venue) : null;
}

/** Metres between the venues; null when either side has no usable coordinates. */
export function compareGeoDistance(a: Features, b: Features): number | null {
  if (a.lat === null || b.lat === null || a.lng === null || b.lng === null) return null;
  return metresBetween(a.lat, a.lng, b.lat, b.lng);
}

export type CityLevel = 'same' | 'different' | 'unknown';

/** The normalized cities ('SF' and 'San Francisco' are the same); 'unknown' when either is missing. */
export function compareCity(a: Features, b: Features): CityLevel {
  if (a.city === null || b.city === null) return 'unknown';
  return a.city === b.city ? 'same' : 'different';
}

/** Equirectangular distance; exact enough below a few kilometres, and cheap. */
function metresBetween(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const rad = Math.PI / 180;
  const x = (bLng - aLng) * rad * Math.cos(((aLat + bLat) / 2) * rad);
  const y = (bLat - aLat) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

/** The comparisons of a pair that passed the hard rules. */
export interface PairEvidence {
  markers: Exclude<MarkerLevel, 'conflict'>;
  time: TimeComparison;
  title: number;
  venueNames: number | null;
  metres: number | null;
  city: CityLevel;
}

// ---- the decision -----------------------------------------------------------------------

/** Weights of title, venue and start time in the score; without a venue, title and time are rescaled. */
const WEIGHT = { title: 0.55, venue: 0.25, start: 0.2 } as const;
/** Start similarity of an all-day listing against a timed one on the same local day. */
const ALL_DAY_START_SIMILARITY = 0.6;
/** Title similarity required when neither coordinates nor venue names can be compared. */
const MIN_TITLE_WITHOUT_VENUE = 0.85;
/** Venue names weigh more than the distance: two bars 80 m apart both run "Trivia Night" at 8pm. */
const VENUE_MIX = { names: 0.7, distance: 0.3 } as const;

/** Same spot up to 100 m (geocoders disagree by that much), nothing left at 1 km. */
function distanceSimilarity(metres: number): number {
  if (metres <= 100) return 1;
  if (metres >= 1000) return 0;
  return 1 - (metres - 100) / 900;
}

function startSimilarity(time: TimeComparison, toleranceMinutes: number): number {
  if (time.level === 'both-all-day') return 1;
  if (time.level === 'all-day-vs-timed') return ALL_DAY_START_SIMILARITY;
  return toleranceMinutes === 0 ? 1 : 1 - (0.5 * time.deltaMinutes!) / toleranceMinutes;
}

/** Names and distance mixed when both are known, else whichever is; null when neither. */
function venueSimilarity(names: number | null, metres: number | null): number | null {
  if (metres === null) return names;
  const near = distanceSimilarity(metres);
  return names === null ? near : VENUE_MIX.names * names + VENUE_MIX.distance * near;
}

export interface Decision {
  score: number;
  match: boolean;
  /** the parts the score was made of */
  start: number;
  venue: number | null;
  /** the title similarity this pair needed */
  minTitle: number;
}

/** The hand-set rule: weighted score and thresholds (see the module comment). */
export function decide(e: PairEvidence, o: ResolvedOptions): Decision {
  const start = startSimilarity(e.time, o.toleranceMinutes);
  const venue = venueSimilarity(e.venueNames, e.metres);
  const score = venue === null
    ? (WEIGHT.title * e.title + WEIGHT.start * start) / (WEIGHT.title + WEIGHT.start)
    : WEIGHT.title * e.title + WEIGHT.venue * venue + WEIGHT.start * start;
  const minTitle = venue === null ? Math.max(o.minTitle, MIN_TITLE_WITHOUT_VENUE) : o.minTitle;
  const match = e.title >= minTitle && (venue === null || venue >= o.minVenue) && score >= o.threshold;
  return { score, match, start, venue, minTitle };
}

// ---- the pair's score and its explanation ------------------------------------------------

export interface PairScore {
  /** 0..1; 0 when a hard rule (same source, session markers, start tolerance) rules the pair out. */
  score: number;
  match: boolean;
  /** Human-readable explanation of each part of the decision. */
  reasons: string[];
}

const fmt = (n: number) => n.toFixed(2);

function explainMatch(a: Features, b: Features, e: PairEvidence, d: Decision, o: ResolvedOptions): string[] {
  const reasons = [`title ${fmt(e.title)} ("${a.title.text}" ~ "${b.title.text}")`];
  if (d.venue === null) reasons.push('venue unknown on one side');
  else if (e.venueNames !== null) reasons.push(`venue ${fmt(d.venue)} ("${a.venue!.text}" ~ "${b.venue!.text}")`);
  else reasons.push(`venue ${fmt(d.venue)} (by distance)`);
  if (e.metres !== null) reasons.push(`distance ${Math.round(e.metres)} m`);
  if (e.time.level === 'both-all-day') reasons.push('both all-day, same day');
  else if (e.time.level === 'all-day-vs-timed') reasons.push('all-day vs timed, same day');
  else reasons.push(`start Δ ${Math.round(e.time.deltaMinutes!)} min`);
  if (e.markers !== 'none') reasons.push(`session markers ${a.markers.join(', ') || '-'} / ${b.markers.join(', ') || '-'}`);
  if (e.title < d.minTitle) reasons.push(`title below ${fmt(d.minTitle)}`);
  if (d.venue !== null && d.venue < o.minVenue) reasons.push(`venue below ${fmt(o.minVenue)}`);
  reasons.push(`score ${fmt(d.score)} ${d.score >= o.threshold ? '≥' : '<'} ${fmt(o.threshold)}`);
  return reasons;
}

/**
 * Scores two events. `explain` off skips building reason strings: findDuplicates scores many
 * more pairs than it keeps, and explains only the ones it keeps.
 */
export function scoreFeatures(a: Features, b: Features, o: ResolvedOptions, explain: boolean): PairScore {
  const reject = (why: () => string): PairScore => ({ score: 0, match: false, reasons: explain ? [why()] : [] });

  const sources = compareSources(a, b);
  if (sources !== 'different') {
    return reject(() => sources === 'same-record'
      ? `same record ${a.source}:${a.externalId}`
      : `same source ${a.source} (${a.externalId} vs ${b.externalId}): a source lists distinct events separately`);
  }
  const markers = compareSessionMarkers(a, b);
  if (markers === 'conflict') {
    return reject(() => `session markers differ: ${a.markers.join(', ')} vs ${b.markers.join(', ')}`);
  }
  const time = compareTime(a, b, o.toleranceMinutes);
  if (time.level === 'different-days') return reject(() => 'different local days');
  if (time.level === 'beyond-tolerance') {
    return reject(() => `start Δ ${Math.round(time.deltaMinutes!)} min > ${o.toleranceMinutes} min tolerance`);
  }

  const evidence: PairEvidence = {
    markers,
    time,
    title: compareTitle(a, b),
    venueNames: compareVenueNames(a, b),
    metres: compareGeoDistance(a, b),
    city: compareCity(a, b),
  };
  const d = decide(evidence, o);
  return { score: d.score, match: d.match, reasons: explain ? explainMatch(a, b, evidence, d, o) : [] };
}

/** Scores one pair of events with every reason spelled out. */
export function scorePair(a: DedupeEvent, b: DedupeEvent, opts?: DedupeOptions): PairScore {
  return scoreFeatures(featuresOf(a), featuresOf(b), resolveOptions(opts), true);
}
