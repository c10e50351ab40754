import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DuplicatePair } from '../../../../src/lib/catalogue/dedupe/clustering.js';
import { applyConstraints } from '../../../../src/lib/catalogue/dedupe/constraints.js';
import { evidenceOf } from '../../../../src/lib/catalogue/dedupe/evidence.js';

const IDS = ['eventbrite:1', 'ics:1', 'jsonld:1', 'ticketmaster:1', 'ticketmaster:2'];
const sourceOf = (id: string) => id.slice(0, id.indexOf(':'));
const pair = (a: string, b: string, score: number, merged = true): DuplicatePair => ({ a, b, score, reasons: [`score ${score}`], merged, evidence: evidenceOf({ score, merged, reasons: [] }) });

/** ticketmaster:1, eventbrite:1 and jsonld:1 are one event to the matcher. */
const MATCHED = [pair('eventbrite:1', 'ticketmaster:1', 0.95), pair('jsonld:1', 'ticketmaster:1', 0.9), pair('eventbrite:1', 'jsonld:1', 0.85)];

describe('applyConstraints', () => {
  test('without constraints the matcher clusters stand', () => {
    const r = applyConstraints(IDS, sourceOf, MATCHED, []);
    assert.deepEqual(r.clusters, [['eventbrite:1', 'jsonld:1', 'ticketmaster:1']]);
    assert.ok(r.pairs.every((p) => p.merged));
  });

  test('cannot-link splits a cluster, keeping the best pairs that respect it', () => {
    const r = applyConstraints(IDS, sourceOf, MATCHED, [{ a: 'eventbrite:1', b: 'ticketmaster:1', kind: 'cannot' }]);
    // eventbrite–ticketmaster refused; jsonld–ticketmaster (0.9) joins first, so eventbrite–jsonld is refused too
    assert.deepEqual(r.clusters, [['jsonld:1', 'ticketmaster:1']]);
    const refused = r.pairs.filter((p) => !p.merged);
    assert.deepEqual(refused.map((p) => [p.a, p.b]), [['eventbrite:1', 'jsonld:1'], ['eventbrite:1', 'ticketmaster:1']]);
    assert.ok(refused.every((p) => p.reasons.some((why) => why.startsWith('not merged: operator'))));
  });

  test('must-link joins records the matcher kept apart, and is listed as an operator pair', () => {
    const r = applyConstraints(IDS, sourceOf, MATCHED, [{ a: 'ics:1', b: 'jsonld:1', kind: 'must' }]);
    assert.deepEqual(r.clusters, [['eventbrite:1', 'ics:1', 'jsonld:1', 'ticketmaster:1']]);
    const operator = r.pairs.find((p) => p.a === 'ics:1' && p.b === 'jsonld:1')!;
    assert.equal(operator.merged, true);
    assert.deepEqual(operator.reasons, ['operator: same event']);
    assert.equal(evidenceOf(operator).model, 'operator');
  });

  test('a matcher join never puts two listings of one source together, even next to a must-link', () => {
    const r = applyConstraints(IDS, sourceOf, [...MATCHED, pair('ics:1', 'ticketmaster:2', 0.99)], [{ a: 'ics:1', b: 'jsonld:1', kind: 'must' }]);
    // ics:1 is with ticketmaster:2 (0.99) or with jsonld:1's cluster, never both ticketmasters at once
    for (const c of r.clusters) assert.ok(c.filter((id) => id.startsWith('ticketmaster:')).length <= 1, JSON.stringify(r.clusters));
  });

  test('cannot beats must on the same records; constraints on records not compared are ignored', () => {
    const r = applyConstraints(IDS, sourceOf, [], [
      { a: 'ics:1', b: 'jsonld:1', kind: 'must' },
      { a: 'ics:1', b: 'yelp:9', kind: 'must' },
      { a: 'eventbrite:1', b: 'jsonld:1', kind: 'cannot' },
      { a: 'eventbrite:1', b: 'ics:1', kind: 'must' },
    ]);
    assert.deepEqual(r.clusters, [['ics:1', 'jsonld:1']]);
    assert.equal(r.pairs.find((p) => p.a === 'eventbrite:1' && p.b === 'ics:1')!.merged, false);
  });
});
