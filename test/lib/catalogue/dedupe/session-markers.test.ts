import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionMarkers } from '../../../../src/lib/catalogue/dedupe/session-markers.js';

describe('session markers', () => {
  it('detects session markers', () => {
    const cases: Array<[string, string[]]> = [
      ['Artist (Early Show)', ['early']],
      ['Artist - Late Show', ['late']],
      ['Artist (early)', ['early']],
      ['Hamlet (Matinee)', ['matinee']],
      ['Hamlet - Evening Performance', ['evening']],
      ['Phish - Night 1', ['night 1']],
      ['Phish (Night Two)', ['night 2']],
      ['Outside Lands Day 2', ['day 2']],
      ['Comedy Show 2', ['show 2']],
      ['Comedy: 2nd Show', ['show 2']],
      ['Artist 7pm Show', ['19:00']],
      ['Artist 9:30pm show', ['21:30']],
      ['Artist (9:30 PM)', ['21:30']],
      ['Lecture Series Part 1', ['part 1']],
      ['Kill Bill Pt. II', ['part 2']],
      ['One Night Only', []],
      ['Earth Day 2026', []],
      ['An Evening with Artist', []],
      ['Late Night Comedy', []],
    ];
    for (const [title, markers] of cases) assert.deepEqual(sessionMarkers(title), markers, title);
  });
});
