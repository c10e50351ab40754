/**
 * Large documents are read in slices: while a feed or page is read, the event loop keeps
 * turning (a worker thread answers heartbeats between slices). Counted, not timed: a reader that
 * does all its work in one go lets the loop turn zero times, whatever the machine's speed.
 * (test/lib/spawn/workers/discovery.test.ts reads the same documents through a worker thread
 * under the controller's heartbeats.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandCalendarAsync } from '../../../src/lib/api/ics-expand.js';
import { extractJsonLdEvents } from '../../../src/lib/api/jsonld-extract.js';
import { largeIcsFeed, largeJsonLdPage } from './servers/documents.js';

/** How many times the event loop turned while `work` ran. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  try {
    const result = await work();
    return { result, turns };
  } finally {
    running = false;
  }
}

describe('large documents are read in slices', () => {
  it('an iCalendar feed of 10,000 VEVENTs: the loop turns while it is cut and expanded', async () => {
    const feed = largeIcsFeed(10_000);
    const skipped: string[] = [];
    const { result, turns } = await turnsDuring(() =>
      expandCalendarAsync(feed, {
        feed: 'large.ics',
        rangeStart: new Date('2029-12-01T00:00:00Z'),
        rangeEnd: new Date('2031-12-31T00:00:00Z'),
        onSkip: (reason) => skipped.push(reason),
      }),
    );
    // 9,800 single events and 200 weekly series of 10.
    assert.equal(result.length, 11_800);
    assert.deepEqual(skipped, []);
    // The reader gives the loop a turn after each 20 ms of work: 27 turns for this 9 MB feed on
    // a quiet 2-core VM, so 5 holds on a machine five times as fast.
    assert.ok(turns >= 5, `the event loop turned ${turns} times while the feed was read`);
  });

  it('a JSON-LD page of 40,000 events in 80 scripts: the loop turns between slices of HTML and between scripts', async () => {
    const page = largeJsonLdPage(40_000, 500);
    const { result, turns } = await turnsDuring(() => extractJsonLdEvents(page));
    assert.equal(result.events.length, 40_000);
    assert.equal(result.scriptCount, 80);
    assert.ok(turns >= 80, `the event loop turned ${turns} times while the page was read`);
  });
});
