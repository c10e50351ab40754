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
 *    One more rule runs first: a listing spanning more than a day (a festival, a multi-day
 *    pass) and a shorter listing inside its span are parent and child (`compareSpans`), never
 *    one event.
 * 2. The decision, from the Fellegi–Sunter model in config/dedupe-weights.json (model.ts): each
 *    comparison falls in a level of its field (title similarity band, venue-name band, distance
 *    band, start-difference band, markers, city), each level weighs log2(m/u), and the prior
 *    plus the weights is the pair's score in log2 odds; its probability against the file's
 *    thresholds says match (merge), review (an operator decides) or distinct. The result is a
 *    MatchEvidence (src/contracts/dedupe.ts) listing every field's level and weight.
 */
import type { FieldEvidence, MatchEvidence, PairDecision } from '../../../contracts/dedupe.js';
import { featuresOf, type DedupeEvent, type Features } from './features.js';
import { levelOf, mergeVeto, probabilityOf, type DedupeModel, type ModelField } from './model.js';
import { resolveOptions, type DedupeOptions, type ResolvedOptions } from './options.js';
import { markersConflict } from './session-markers.js';
import { textSimilarity, type TokenSet } from './text-similarity.js';

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
export type MarkerLevel = 'none' | 'one-side' | 'same' | 'compatible' | 'conflict';

export function compareSessionMarkers(a: Features, b: Features): MarkerLevel {
  if (a.markers.length === 0) return b.markers.length === 0 ? 'none' : 'one-side';
  if (b.markers.length === 0) return 'one-side';
  if (markersConflict(a.markers, b.markers)) return 'conflict';
  return a.markers.join('|') === b.markers.join('|') ? 'same' : 'compatible';
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

/**
 * Similarity of the venues, 0..1: of their normalized names when both name one, else of their
 * street addresses when both give one (Yelp gives no name); null when neither can be compared.
 * Addresses only stand in: two rooms of one building share an address, not a name.
 */
export function compareVenueNames(a: Features, b: Features): number | null {
  if (a.venue && b.venue) return sameObjectsSimilarity(a.venue, b.venue);
  if (a.address && b.address) return sameObjectsSimilarity(a.address, b.address);
  return null;
}

/**
 * textSimilarity remembered per pair of TokenSet objects: features.ts hands out one TokenSet per
 * distinct venue label, and a catalogue has far fewer venues than events, so most venue pairs
 * were compared before. Keyed by identity (no string keys to build); entries go with their sets.
 */
const venueSimilarities = new WeakMap<TokenSet, Map<TokenSet, number>>();

function sameObjectsSimilarity(x: TokenSet, y: TokenSet): number {
  if (x === y) return textSimilarity(x, y);
  let row = venueSimilarities.get(x);
  if (!row) venueSimilarities.set(x, (row = new Map()));
  let value = row.get(y);
  if (value === undefined) row.set(y, (value = textSimilarity(x, y)));
  return value;
}

function venuePair(a: Features, b: Features): [TokenSet | null, TokenSet | null] {
  if (a.venue && b.venue) return [a.venue, b.venue];
  if (a.address && b.address) return [a.address, b.address];
  return [null, null];
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

/**
 * 'a-holds-b': `a` spans more than a day (festival, multi-day pass) and `b`, a timed listing or
 * a single day, starts inside that span: parent and child, never one event. An all-day listing
 * without an end can't be a child: it may be the festival itself, written as its first day.
 */
export type SpanLevel = 'a-holds-b' | 'b-holds-a' | null;

const HOUR_MS = 3_600_000;

function holds(parent: Features, child: Features): boolean {
  if (!parent.multiDay || child.multiDay || parent.endMs === null) return false;
  if (child.allDay && child.endMs === null) return false;
  // An all-day parent starts at local midnight; a timed one at its gates: allow the morning before.
  return child.startMs >= parent.startMs - 12 * HOUR_MS && child.startMs < parent.endMs;
}

export function compareSpans(a: Features, b: Features): SpanLevel {
  if (holds(a, b)) return 'a-holds-b';
  if (holds(b, a)) return 'b-holds-a';
  return null;
}

/** The comparisons of a pair (that passed the hard rules, when scoring). */
export interface PairEvidence {
  markers: MarkerLevel;
  time: TimeComparison;
  title: number;
  venueNames: number | null;
  metres: number | null;
  city: CityLevel;
}

/**
 * Every comparison of a pair, hard rules or not: scoring only weighs pairs that pass them, the
 * estimator (estimate.ts) counts every pair of a city's listings.
 */
export function compareFields(a: Features, b: Features, toleranceMinutes: number): PairEvidence {
  return {
    markers: compareSessionMarkers(a, b),
    time: compareTime(a, b, toleranceMinutes),
    title: compareTitle(a, b),
    venueNames: compareVenueNames(a, b),
    metres: compareGeoDistance(a, b),
    city: compareCity(a, b),
  };
}

// ---- the decision -----------------------------------------------------------------------

/**
 * Distance is read in the light of the venue names, as the two are far from independent: once
 * the names agree, being 0 m apart adds little; when they disagree, a renamed arena is still at
 * its coordinates while the bar next door is 80 m away. So the geo field has a family of levels
 * per venue outcome: "names-agree-*" (venues compared, similarity ≥ 0.35), "names-differ-*"
 * (below), and plain bands when the venues could not be compared. Within a family, the first
 * level whose bound the distance meets (the family's unbounded level otherwise).
 */
function geoMeasure(metres: number | null, venueSimilarity: number | null, model: DedupeModel): number | string | null {
  if (metres === null || venueSimilarity === null) return metres;
  const family = venueSimilarity < NAMES_AGREE ? 'names-differ-' : 'names-agree-';
  let fallback: string | null = null;
  for (const l of model.levels.geo) {
    if (!l.level.startsWith(family)) continue;
    if (l.atMost === undefined) fallback ??= l.level;
    else if (metres <= l.atMost) return l.level;
  }
  return fallback ?? metres;
}

/** Venue similarity from which the names agree, for reading the distance (geoMeasure). */
const NAMES_AGREE = 0.35;

/** Similar titles made only of generic words. */
const GENERIC_MIN_SIMILARITY = 0.75;

/**
 * The title's measurement for the model: 'numbers-differ' when both titles carry numbers and
 * they differ ("UFC 300" / "UFC 301", "Night 1" aside: markers are cut first); 'generic' when
 * both are alike and made only of generic words ("Trivia Night" / "Trivia"); else the similarity.
 */
function titleLevel(a: Features, b: Features, similarity: number, model: DedupeModel): number | string {
  if (a.title.numbers !== '' && b.title.numbers !== '' && a.title.numbers !== b.title.numbers && wordsAlike(a.title, b.title)) return 'numbers-differ';
  if (similarity >= GENERIC_MIN_SIMILARITY && isGeneric(a, model) && isGeneric(b, model)) return 'generic';
  return similarity;
}

/** The titles' words other than numbers are alike (Dice ≥ 0.75): "UFC 300" / "UFC 301", not "8. Abonnementkonzert" / "Brahms 4". */
function wordsAlike(a: TokenSet, b: TokenSet): boolean {
  let na = 0;
  let nb = 0;
  let shared = 0;
  for (const t of a.tokens) if (!/^\d+$/.test(t)) { na++; if (b.tokens.has(t)) shared++; }
  for (const t of b.tokens) if (!/^\d+$/.test(t)) nb++;
  return na + nb > 0 && (2 * shared) / (na + nb) >= 0.75;
}

function isGeneric(f: Features, model: DedupeModel): boolean {
  if (model.genericTitleWords.size === 0 || f.title.tokens.size === 0) return false;
  for (const t of f.title.tokens) if (!model.genericTitleWords.has(t)) return false;
  return true;
}

/** Starts too far apart fail a hard rule; the model keeps one level for them, which only the estimator counts. */
function timeLevelName(level: TimeLevel): string {
  return level === 'different-days' || level === 'beyond-tolerance' ? 'beyond-tolerance' : level;
}

const fmt = (n: number) => n.toFixed(2);

/** The weight (and score) a failed hard rule stands for: no weight of the model comes near it, and it stays JSON. */
export const HARD_RULE_WEIGHT = -100;

/** Each field's level and weight for a pair that passed the hard rules, in the model's field order. */
export function fieldEvidence(a: Features, b: Features, e: PairEvidence, model: DedupeModel, withDetails = true): FieldEvidence[] {
  const out: FieldEvidence[] = [];
  const add = (field: ModelField, value: number | string | null, detail?: string): string => {
    const l = levelOf(model, field, value);
    out.push(withDetails && detail !== undefined ? { field, level: l.level, weight: l.weight, detail } : { field, level: l.level, weight: l.weight });
    return l.level;
  };
  if (!withDetails) {
    add('title', titleLevel(a, b, e.title, model));
    add('venue', e.venueNames);
    add('geo', geoMeasure(e.metres, e.venueNames, model));
    add('time', e.time.level === 'within-tolerance' ? e.time.deltaMinutes! : timeLevelName(e.time.level));
    add('markers', e.markers);
    add('city', e.city);
    return out;
  }
  const title = titleLevel(a, b, e.title, model);
  add('title', title, `${fmt(e.title)}: "${a.title.text}" ~ "${b.title.text}"${typeof title === 'string' ? ` (${title === 'generic' ? 'generic title' : `numbers ${a.title.numbers} vs ${b.title.numbers}`})` : ''}`);
  const [va, vb] = venuePair(a, b);
  add('venue', e.venueNames, e.venueNames === null ? 'no venue name or address to compare' : `${fmt(e.venueNames)}: "${va!.text}" ~ "${vb!.text}"${va === a.venue ? '' : ' (addresses)'}`);
  const geo = geoMeasure(e.metres, e.venueNames, model);
  add('geo', geo, e.metres === null ? 'no coordinates on one side' : `${Math.round(e.metres)} m`);
  if (e.time.level === 'within-tolerance') add('time', e.time.deltaMinutes!, `start Δ ${Math.round(e.time.deltaMinutes!)} min`);
  else add('time', timeLevelName(e.time.level), e.time.level === 'both-all-day' ? 'both all-day, same day' : 'all-day vs timed, same day');
  add('markers', e.markers, e.markers === 'none' ? undefined : `${a.markers.join(', ') || '-'} / ${b.markers.join(', ') || '-'}`);
  add('city', e.city, e.city === 'unknown' ? undefined : `${a.city} / ${b.city}`);
  return out;
}

/** The model's verdict on a pair that passed the hard rules. */
export function decide(fields: readonly FieldEvidence[], o: ResolvedOptions): MatchEvidence {
  let score = o.model.priorScore;
  for (const f of fields) score += f.weight;
  const probability = probabilityOf(score);
  let decision: PairDecision = probability >= o.threshold ? 'match' : probability >= o.reviewThreshold ? 'review' : 'distinct';
  if (decision === 'match' && mergeVeto(o.model, fields) !== null) decision = 'review';
  return { score, probability, decision, fields: [...fields], model: o.model.version };
}

// ---- the pair's score and its explanation ------------------------------------------------

export interface PairScore {
  /** Match probability 0..1; 0 when a hard rule (same source, session markers, start tolerance, parent/child) rules the pair out. */
  score: number;
  /** The pair is one event and is merged (`evidence.decision` is 'match'). */
  match: boolean;
  /** Per-field levels and weights, total score, probability and decision. */
  evidence: MatchEvidence;
  /** Human-readable explanation of each part of the decision. */
  reasons: string[];
}

function explain(e: MatchEvidence, o: ResolvedOptions): string[] {
  const reasons = e.fields.map((f) => `${f.field} ${f.level} ${f.weight >= 0 ? '+' : ''}${fmt(f.weight)}${f.detail ? ` (${f.detail})` : ''}`);
  const vetoed = e.decision === 'review' && e.probability >= o.threshold;
  const vs = vetoed ? `≥ match ${fmt(o.threshold)}, but ${mergeVeto(o.model, e.fields)!.join(' with ')} never merges unseen`
    : e.probability >= o.threshold ? `≥ match ${fmt(o.threshold)}`
    : e.probability >= o.reviewThreshold ? `in review band ${fmt(o.reviewThreshold)}–${fmt(o.threshold)}` : `< review ${fmt(o.reviewThreshold)}`;
  reasons.push(`score ${fmt(e.score)} bits, probability ${e.probability.toFixed(3)} ${vs}: ${e.decision}`);
  return reasons;
}

/**
 * Scores two events. `explain` off skips building reason strings and details: findDuplicates
 * scores many more pairs than it keeps, and explains only the ones it keeps.
 */
export function scoreFeatures(a: Features, b: Features, o: ResolvedOptions, withReasons: boolean): PairScore {
  const ruled = (decision: PairDecision, rule: MatchEvidence['fields'][number], why: () => string): PairScore => ({
    score: 0,
    match: false,
    evidence: { score: HARD_RULE_WEIGHT, probability: 0, decision, fields: [rule], model: o.model.version },
    reasons: withReasons ? [why()] : [],
  });
  const hard = (field: FieldEvidence['field'], level: string, detail?: string): FieldEvidence => ({ field, level, weight: HARD_RULE_WEIGHT, ...(detail ? { detail } : {}) });

  const sources = compareSources(a, b);
  if (sources !== 'different') {
    return ruled('distinct', hard('source', sources), () => sources === 'same-record'
      ? `same record ${a.source}:${a.externalId}`
      : `same source ${a.source} (${a.externalId} vs ${b.externalId}): a source lists distinct events separately`);
  }
  const markers = compareSessionMarkers(a, b);
  if (markers === 'conflict') {
    return ruled('distinct', hard('markers', 'conflict', `${a.markers.join(', ')} / ${b.markers.join(', ')}`),
      () => `session markers differ: ${a.markers.join(', ')} vs ${b.markers.join(', ')}`);
  }
  const spans = compareSpans(a, b);
  if (spans !== null) {
    const [parent, child] = spans === 'a-holds-b' ? [a, b] : [b, a];
    return ruled('parent', hard('time', spans), () => `parent and child: ${parent.source}:${parent.externalId} spans more than a day and holds ${child.source}:${child.externalId}`);
  }
  const time = compareTime(a, b, o.toleranceMinutes);
  if (time.level === 'different-days') return ruled('distinct', hard('time', time.level), () => 'different local days');
  if (time.level === 'beyond-tolerance') {
    return ruled('distinct', hard('time', time.level), () => `start Δ ${Math.round(time.deltaMinutes!)} min > ${o.toleranceMinutes} min tolerance`);
  }

  const evidence: PairEvidence = { ...compareFields(a, b, o.toleranceMinutes), markers, time };
  const e = decide(fieldEvidence(a, b, evidence, o.model, withReasons), o);
  return { score: e.probability, match: e.decision === 'match', evidence: e, reasons: withReasons ? explain(e, o) : [] };
}

/**
 * The pair's match probability without building its evidence (findDuplicates' hot path, where
 * most candidate pairs are distinct): -1 when a hard rule rules it out, -2 for parent and
 * child. neverMerge is not applied here; scoreFeatures decides the pairs worth keeping.
 */
export function quickProbability(a: Features, b: Features, o: ResolvedOptions): number {
  if (a.source === b.source) return -1;
  const markers = compareSessionMarkers(a, b);
  if (markers === 'conflict') return -1;
  if (holds(a, b) || holds(b, a)) return -2;
  const model = o.model;
  let time: number | string;
  if (a.allDay || b.allDay) {
    if (a.day !== b.day) return -1;
    time = a.allDay && b.allDay ? 'both-all-day' : 'all-day-vs-timed';
  } else {
    time = Math.abs(a.startMs - b.startMs) / 60_000;
    if (time > o.toleranceMinutes) return -1;
  }
  const venue = compareVenueNames(a, b);
  let score = model.priorScore
    + levelOf(model, 'title', titleLevel(a, b, compareTitle(a, b), model)).weight
    + levelOf(model, 'venue', venue).weight
    + levelOf(model, 'geo', geoMeasure(compareGeoDistance(a, b), venue, model)).weight
    + levelOf(model, 'time', time).weight
    + levelOf(model, 'markers', markers).weight;
  score += levelOf(model, 'city', compareCity(a, b)).weight;
  return probabilityOf(score);
}

/** Scores one pair of events with every reason spelled out. */
export function scorePair(a: DedupeEvent, b: DedupeEvent, opts?: DedupeOptions): PairScore {
  return scoreFeatures(featuresOf(a), featuresOf(b), resolveOptions(opts), true);
}
