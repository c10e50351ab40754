/**
 * The labeled set's last measured quality, as `npm run bench:dedupe` records it and /metrics
 * shows it (scenescout_dedupe_benchmark_*). These are figures on a hand-labeled set, not
 * measurements of production traffic.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dedupeBenchmarkSchema, type DedupeBenchmark } from '../../../contracts/dedupe.js';
import { packageRoot } from '../../paths.js';

/** `.scenescout/dedupe-benchmark.json` in the package root (next to the embedded database). */
export function defaultBenchmarkFile(): string {
  return path.join(packageRoot(), '.scenescout', 'dedupe-benchmark.json');
}

interface Figures {
  precision: number;
  recall: number;
  f1: number;
}

/** Writes the figures (atomically: a scrape never reads half a file); returns the path. */
export function recordBenchmarkFigures(
  input: { labeledSet: string; overall: Figures; sourcePairs: Record<string, Figures>; trapsMerged: number },
  file = defaultBenchmarkFile(),
): string {
  const figures: DedupeBenchmark = dedupeBenchmarkSchema.parse({
    measuredAt: new Date().toISOString(),
    labeledSet: input.labeledSet,
    overall: { precision: input.overall.precision, recall: input.overall.recall, f1: input.overall.f1 },
    sourcePairs: Object.entries(input.sourcePairs).map(([pair, f]) => ({ pair, precision: f.precision, recall: f.recall, f1: f.f1 })),
    trapsMerged: input.trapsMerged,
  });
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(figures, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/** The recorded figures; null when there are none yet or the file is not a benchmark record. */
export function readBenchmarkFigures(file = defaultBenchmarkFile()): DedupeBenchmark | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = dedupeBenchmarkSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
