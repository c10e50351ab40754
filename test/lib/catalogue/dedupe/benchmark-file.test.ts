import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBenchmarkFigures, recordBenchmarkFigures } from '../../../../src/lib/catalogue/dedupe/benchmark-file.js';

test('the figures bench:dedupe records read back as written; a missing or foreign file reads as none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-bench-file-'));
  const file = join(dir, 'nested', 'dedupe-benchmark.json');
  assert.equal(readBenchmarkFigures(file), null);
  const written = recordBenchmarkFigures({
    labeledSet: 'test/fixtures/dedupe',
    overall: { precision: 0.98, recall: 0.95, f1: 0.965 },
    sourcePairs: { 'eventbrite+ticketmaster': { precision: 1, recall: 0.9, f1: 0.947 } },
    trapsMerged: 0,
  }, file);
  assert.equal(written, file);
  const read = readBenchmarkFigures(file)!;
  assert.deepEqual(read.overall, { precision: 0.98, recall: 0.95, f1: 0.965 });
  assert.deepEqual(read.sourcePairs, [{ pair: 'eventbrite+ticketmaster', precision: 1, recall: 0.9, f1: 0.947 }]);
  assert.ok(Date.parse(read.measuredAt) > 0);
  writeFileSync(file, '{"precision": 2}');
  assert.equal(readBenchmarkFigures(file), null);
  writeFileSync(file, 'not json');
  assert.equal(readBenchmarkFigures(file), null);
  assert.throws(() => recordBenchmarkFigures({ labeledSet: 'x', overall: { precision: 1.5, recall: 1, f1: 1 }, sourcePairs: {}, trapsMerged: 0 }, file));
});
