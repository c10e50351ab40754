/**
 * npm run dedupe:estimate — re-estimates the dedupe model (config/dedupe-weights.json) from the
 * labeled set in test/fixtures/dedupe/, and reports how well it does on cities it was NOT
 * estimated on.
 *
 * 1. Cross-validation: the set's cities are split in two folds (alternating by id). For each
 *    fold, m/u and the prior are estimated on the other fold's listings, the match threshold is
 *    chosen there (best F1 with no trap merged), and precision / recall / F1 / traps are measured
 *    on the held-out fold. These are the honest figures.
 * 2. The model written to the file is estimated on every city, threshold chosen the same way;
 *    its figures on the set are in-sample (what `npm run bench:dedupe` then shows).
 *
 * The file's level names and bounds are kept (edit them there); m, u, prior and thresholds are
 * replaced. The review threshold sits REVIEW_BITS below the match threshold in log2 odds.
 *
 *   --dry-run  report only, don't write the file   --version V  version string (default: today's date)
 *
 * The last line is one JSON object.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_WEIGHTS_PATH, modelFromWeights, weightsFileSchema, type WeightsFile } from '../src/lib/catalogue/dedupe/model.js';
import { goalShortfalls, type DedupeQuality } from './lib/dedupe-eval.js';
import { cityFolds, crossValidate, fit, foldSummary } from './lib/dedupe-fit.js';
import { loadLabeledSet } from './lib/dedupe-set.js';
import { round } from './lib/stats.js';

const DRY_RUN = process.argv.includes('--dry-run');
const versionArg = process.argv.indexOf('--version');
const VERSION = versionArg > 0 ? process.argv[versionArg + 1]! : new Date().toISOString().slice(0, 10);

function log(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

function line(name: string, q: DedupeQuality): string {
  const o = q.overall;
  const minPair = Math.min(...Object.values(q.bySourcePair).map((f) => f.f1));
  return `${name.padEnd(34)} P ${o.precision.toFixed(4)} R ${o.recall.toFixed(4)} F1 ${o.f1.toFixed(4)}  min source pair F1 ${minPair.toFixed(4)}  traps merged ${q.traps.merged.length}/${q.traps.cases}`;
}

/** The weights file as people read it: one line per level, per neverMerge combination, and for the word list. */
function formatWeights(w: WeightsFile): string {
  const { fields, neverMerge, genericTitleWords, ...rest } = w;
  const top = JSON.stringify({ ...rest, genericTitleWords: '\u0000g', neverMerge: '\u0000n', fields: '\u0000f' }, null, 2);
  const list = (items: unknown[], indent: string) => `[\n${items.map((x) => `${indent}  ${JSON.stringify(x)}`).join(',\n')}\n${indent}]`;
  const fieldText = `{\n${Object.entries(fields).map(([k, levels]) => `    ${JSON.stringify(k)}: ${list(levels, '    ')}`).join(',\n')}\n  }`;
  return `${top
    .replace('"\\u0000g"', JSON.stringify(genericTitleWords ?? []))
    .replace('"\\u0000n"', list(neverMerge ?? [], '  '))
    .replace('"\\u0000f"', fieldText)}\n`;
}

function main(): void {
  const set = loadLabeledSet();
  const template = weightsFileSchema.parse(JSON.parse(readFileSync(DEFAULT_WEIGHTS_PATH, 'utf8')));
  const ids = set.cities.map((c) => c.id).sort();
  const folds = cityFolds(set);
  log(`labeled set: ${set.listings.length} listings, ${set.cities.length} cities; folds: [${folds[0]!.join(', ')}] / [${folds[1]!.join(', ')}]`);

  const cv: Array<Record<string, unknown>> = [];
  for (const [k, fold] of crossValidate(set, template, VERSION).entries()) {
    log(`fold ${k + 1}: estimated on [${fold.trainedOn.join(', ')}], match threshold ${fold.weights.thresholds.match}`);
    log(`  ${line('on its own cities (in-sample)', fold.train)}`);
    log(`  ${line(`on [${fold.heldOut.join(', ')}] (held out)`, fold.test)}`);
    for (const t of fold.test.traps.merged) log(`    trap merged: [${t.kind}] ${t.a} / ${t.b}`);
    cv.push(foldSummary(fold));
  }

  const all = fit(set, template, VERSION, { cities: ids, listings: set.listings.length, labeledSet: 'test/fixtures/dedupe' });
  log(`all cities: match threshold ${all.weights.thresholds.match}, review from ${all.weights.thresholds.review}, prior ${all.weights.prior}`);
  log(`  ${line('on the whole set (in-sample)', all.train)}`);
  const shortfalls = goalShortfalls(all.train);
  log(shortfalls.length === 0 ? '  goals met (in-sample)' : `  goals not met (in-sample):\n    ${shortfalls.join('\n    ')}`);
  const model = modelFromWeights(all.weights);
  log('weights (log2 m/u):');
  for (const [field, levels] of Object.entries(model.levels)) {
    log(`  ${field.padEnd(8)} ${levels.map((l) => `${l.level} ${l.weight >= 0 ? '+' : ''}${l.weight.toFixed(2)}`).join(', ')}`);
  }
  if (!DRY_RUN) {
    writeFileSync(DEFAULT_WEIGHTS_PATH, formatWeights(all.weights));
    log(`wrote ${DEFAULT_WEIGHTS_PATH} (version ${VERSION})`);
  }
  log(JSON.stringify({
    version: VERSION, written: !DRY_RUN, threshold: all.weights.thresholds.match, review: all.weights.thresholds.review,
    in_sample_f1: round(all.train.overall.f1, 4), in_sample_traps_merged: all.train.traps.merged.length, cross_validation: cv,
  }));
}

main();
