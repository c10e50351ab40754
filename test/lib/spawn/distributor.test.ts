/**
 * Issue 12 finding 6: one malformed city must not stop discovery for every city. A city whose
 * stored settings still break discovery is skipped and logged; the others are queued.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { upsertCity } from '../../../src/lib/db/queries/cities.js';
import { TaskDistributor } from '../../../src/lib/spawn/tasks/distributor.js';
import type { CityInput } from '../../../src/contracts/cities.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { assertNoneRunning, startController, stopController } from '../../helpers/controller.js';

after(closeTestDatabases);
afterEach(assertNoneRunning);

for (const backend of backends()) {
  describe(`TaskDistributor on ${backend.name}`, () => {
    test('skips and logs a city with malformed stored sources; the other cities go on', async () => {
      const lines: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
      const c = await startController(backend, { providers: { eventbrite: { apiKey: 'eventbrite-test-token' } } });
      try {
        const base = { latitude: 52.5, longitude: 13.4, timezone: 'Europe/Berlin' };
        await upsertCity(c.db, { id: 'good', name: 'Good', ...base, sources: { ics: { feeds: ['https://calendar.example.org/a.ics'] } } });
        // As saved before the API validated sources (the contract now refuses both).
        await upsertCity(c.db, { id: 'bad-orgs', name: 'Bad', ...base, sources: { eventbrite: { organizationIds: 5 } } } as unknown as CityInput);
        await upsertCity(c.db, { id: 'bad-feeds', name: 'Bad', ...base, sources: { ics: { feeds: 'str' } } } as unknown as CityInput);

        const distributor = new TaskDistributor(c, { logger });
        const result = await distributor.scheduleDiscovery({ sources: ['ics', 'eventbrite'] });
        assert.deepEqual(result.queued.map((q) => `${q.cityId}/${q.source}`), ['good/ics']);
        const skippedCities = result.skipped.filter((s) => s.source === '*');
        assert.deepEqual(skippedCities.map((s) => s.cityId).sort(), ['bad-feeds', 'bad-orgs']);
        assert.match(skippedCities.find((s) => s.cityId === 'bad-orgs')!.reason, /sources\.eventbrite\.organizationIds/);
        assert.match(skippedCities.find((s) => s.cityId === 'bad-feeds')!.reason, /sources\.ics\.feeds/);
        const errors = lines.filter((l) => l.level === 50 && l.msg === 'discovery skipped a city');
        assert.deepEqual(errors.map((l) => l.cityId).sort(), ['bad-feeds', 'bad-orgs']);
        await distributor.stop();
      } finally {
        await stopController(c);
      }
    });
  });
}
