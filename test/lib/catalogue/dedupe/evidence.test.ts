import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchEvidenceSchema, type MatchEvidence } from '../../../../src/contracts/dedupe.js';
import { FALLBACK_MODEL, evidenceOf, pairIdOf } from '../../../../src/lib/catalogue/dedupe/evidence.js';
import { findDuplicates } from '../../../../src/lib/catalogue/dedupe/index.js';
import { loadModel, scorePair, type DedupeEvent } from '../../../../src/lib/catalogue/dedupe/index.js';

const SHOW: DedupeEvent & { id: string } = {
  id: 'ticketmaster:1',
  source: 'ticketmaster',
  externalId: '1',
  title: 'Phoebe Bridgers',
  startsAt: new Date('2026-06-13T03:00:00Z'),
  timezone: 'America/Los_Angeles',
  allDay: false,
  venue: { name: 'The Fillmore', address: '1805 Geary Blvd', city: 'San Francisco', latitude: 37.784, longitude: -122.433 },
};
const other = (source: string, title: string) => ({ ...SHOW, id: `${source}:2`, source, externalId: '2', title });

describe('evidenceOf', () => {
  test("the matcher's evidence: decision match, a field per comparison, the weights' version, valid against the contract", () => {
    const e = evidenceOf(scorePair(SHOW, other('eventbrite', 'Phoebe Bridgers - Live')));
    assert.deepEqual(matchEvidenceSchema.parse(e), e);
    assert.equal(e.decision, 'match');
    assert.equal(e.model, loadModel().version);
    for (const field of ['geo', 'time', 'title', 'venue']) assert.ok(e.fields.some((f) => f.field === field), field);
    assert.ok(e.probability > 0.8 && e.probability <= 1);
  });

  test('a title sharing nothing at the same venue and time is for review; one source listing twice is distinct', () => {
    assert.equal(evidenceOf(scorePair(SHOW, other('eventbrite', 'Comedy Showcase'))).decision, 'review');
    const sameSource = evidenceOf(scorePair(SHOW, other('ticketmaster', 'Phoebe Bridgers')));
    assert.equal(sameSource.decision, 'distinct');
    assert.deepEqual(sameSource.fields.map((f) => f.field), ['source']);
  });

  test('a score without evidence: matched is a match, a near miss is for review, a clear miss distinct', () => {
    const match = evidenceOf({ score: 0.9, match: true, reasons: ['title 0.90 ("a" ~ "b")'] }, 0.7);
    assert.equal(match.decision, 'match');
    assert.equal(match.model, FALLBACK_MODEL);
    assert.deepEqual(match.fields.map((f) => f.field), ['title']);
    assert.equal(evidenceOf({ score: 0.6, match: false, reasons: [] }, 0.7).decision, 'review');
    assert.equal(evidenceOf({ score: 0.3, match: false, reasons: [] }, 0.7).decision, 'distinct');
  });

  test("the matcher's own evidence is used as it is", () => {
    const own: MatchEvidence = { score: 7.5, probability: 0.99, decision: 'parent', fields: [], model: 'fs-2026-12' };
    assert.equal(evidenceOf({ score: 7.5, match: false, reasons: [], evidence: own }), own);
  });
});

describe('near misses and pairIdOf', () => {
  test('finds the near misses only (not the matched pair), ids ordered', () => {
    const events = [SHOW, other('eventbrite', 'Comedy Showcase'), { ...other('jsonld', 'PHOEBE BRIDGERS'), id: 'jsonld:2' }];
    const found = findDuplicates(events).review;
    assert.deepEqual(found.map((p) => [p.a, p.b, p.evidence.decision]), [
      ['eventbrite:2', 'jsonld:2', 'review'],
      ['eventbrite:2', 'ticketmaster:1', 'review'],
    ]);
  });

  test('a pair has one id whatever the order', () => {
    assert.equal(pairIdOf('a:1', 'b:2'), pairIdOf('b:2', 'a:1'));
    assert.notEqual(pairIdOf('a:1', 'b:2'), pairIdOf('a:1', 'b:3'));
    assert.match(pairIdOf('a:1', 'b:2'), /^[A-Za-z0-9_-]{22}$/);
  });
});
