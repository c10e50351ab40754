import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeCity, normalizeTitle, normalizeVenue } from '../../../../src/lib/catalogue/dedupe/match-text.js';

describe('match keys', () => {
  it('normalizes titles: case, accents, punctuation, noise words, promoter prefix, feat. clause', () => {
    assert.equal(normalizeTitle('The Beyoncé LIVE!'), 'beyonce');
    assert.equal(normalizeTitle('KEXP presents: Khruangbin feat. Leon Bridges — Tour 2026 Tickets'), 'khruangbin');
    assert.equal(normalizeTitle('Simon & Garfunkel'), normalizeTitle('Simon and Garfunkel'));
    assert.equal(normalizeTitle('Khruangbin (Early Show)'), 'khruangbin');
    assert.equal(normalizeTitle('Salsa Night at The Cosmic Orchard', 'Cosmic Orchard'), 'salsa night');
    assert.equal(normalizeTitle('Live!'), 'live');
  });

  it('normalizes venues, dropping "the" and the venue\'s own city', () => {
    assert.equal(normalizeVenue('The Fillmore', 'San Francisco'), 'fillmore');
    assert.equal(normalizeVenue('Fillmore SF', 'San Francisco'), 'fillmore');
    assert.equal(normalizeVenue('The Fillmore, San Francisco', 'San Francisco'), 'fillmore');
    assert.equal(normalizeVenue('Orpheum Theatre'), 'orpheum theater');
  });

  it('words that every object answers to are words like any other', () => {
    assert.equal(normalizeVenue('The Constructor Hall'), 'constructor hall');
    assert.equal(normalizeVenue('Club __proto__'), 'club proto');
    assert.equal(normalizeCity('Constructor'), 'constructor');
    assert.equal(normalizeCity('toString, CA'), 'tostring');
  });
});
