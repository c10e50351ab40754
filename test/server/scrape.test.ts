/** What /metrics reads on scrape (src/server/scrape.ts): one shared read, and a gauge per row. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { rowGauge, sharedRead } from '../../src/server/scrape.js';

describe('metrics read on scrape', () => {
  it('share one read for the time given, and a failed read yields null and is logged', async () => {
    let reads = 0;
    let fail = false;
    const logged: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logged.push(chunk.toString()), done()) }));
    const count = async () => {
      reads++;
      if (fail) throw new Error('database down');
      return reads;
    };
    const read = sharedRead(count, 'the counts', 60_000, logger);
    assert.deepEqual(await Promise.all([read(), read(), read()]), [1, 1, 1]);
    assert.equal(reads, 1);
    const uncached = sharedRead(count, 'the counts', 0, logger);
    assert.equal(await uncached(), 2);
    fail = true;
    assert.equal(await uncached(), null);
    assert.equal(reads, 3);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /metrics scrape could not read the counts/);
    assert.match(logged[0]!, /database down/);
  });

  it('show a series for each row, keep them when the read failed, and drop them when it found none', async () => {
    const registry = new Registry();
    let rows: Array<{ city: string; n: number | null }> | null = [
      { city: 'sf', n: 3 },
      { city: 'oakland', n: 0 },
      { city: 'berlin', n: null },
    ];
    rowGauge(registry, { name: 'test_rows', help: 'rows', labelNames: ['city'], rows: () => rows, labels: (r) => ({ city: r.city }), value: (r) => r.n });
    const series = async () => (await registry.metrics()).split('\n').filter((l) => l.startsWith('test_rows{'));
    const shown = ['test_rows{city="sf"} 3', 'test_rows{city="oakland"} 0'];
    assert.deepEqual(await series(), shown, 'a row valued null has no series');
    rows = null;
    assert.deepEqual(await series(), shown, 'a failed read keeps the last series');
    rows = [{ city: 'sf', n: 4 }];
    assert.deepEqual(await series(), ['test_rows{city="sf"} 4'], 'a row no longer read loses its series');
    rows = [];
    assert.deepEqual(await series(), []);
  });
});
