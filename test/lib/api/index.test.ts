import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadSpawnConfig } from '../../../src/config/spawn.js';
import { ConfigError, ValidationError } from '../../../src/lib/errors.js';
import {
  EventbriteClient,
  IcsClient,
  JsonLdClient,
  SOURCES,
  TicketmasterClient,
  YelpClient,
  createClient,
  createProviderLimiter,
  type ProviderClient,
  type SourceId,
} from '../../../src/lib/api/index.js';

describe('createClient', () => {
  it('builds the client of each source', () => {
    const logger = pino({ level: 'silent' });
    assert.ok(createClient('ticketmaster', { apiKey: 'k', logger }) instanceof TicketmasterClient);
    assert.ok(createClient('eventbrite', { token: 't' }) instanceof EventbriteClient);
    assert.ok(createClient('yelp', { apiKey: 'k' }) instanceof YelpClient);
    assert.ok(createClient('ics') instanceof IcsClient);
    assert.ok(createClient('jsonld') instanceof JsonLdClient);
    assert.deepEqual([...SOURCES], ['ticketmaster', 'eventbrite', 'yelp', 'ics', 'jsonld']);
  });

  it('takes a ProviderConfig from the spawn config as it is', () => {
    const config = loadSpawnConfig({ TICKETMASTER_API_KEY: 'tm', EVENTBRITE_TOKEN: 'eb', YELP_API_KEY: 'y' });
    const limiter = createProviderLimiter({ providers: config.providers });
    const clients: ProviderClient[] = SOURCES.map((source: SourceId) => createClient(source, { ...config.providers[source], limiter }));
    assert.deepEqual(
      clients.map((c) => c.source),
      SOURCES,
    );
  });

  it('throws ConfigError for a key-based source without a key', () => {
    const config = loadSpawnConfig({});
    for (const source of ['ticketmaster', 'eventbrite', 'yelp'] as const) {
      assert.throws(() => createClient(source, config.providers[source]), (err: unknown) => err instanceof ConfigError && err.code === 'ERR_CONFIG' && err.message.startsWith(`${source}:`));
    }
  });

  it('rejects unknown sources and bad search params', async () => {
    assert.throws(() => createClient('meetup' as SourceId), ValidationError);
    const client = createClient('ticketmaster', { apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    await assert.rejects(
      client.searchEvents({ location: { latitude: 200, longitude: 0, radius: 1 }, dateRange: { start: '2030-01-01', end: '2030-01-02' } }),
      (err: unknown) => err instanceof ValidationError && /latitude/.test(err.message),
    );
    await assert.rejects(
      client.searchEvents({ location: { latitude: 1, longitude: 0, radius: 1 }, dateRange: { start: '2030-01-02', end: '2030-01-01' } }),
      (err: unknown) => err instanceof ValidationError && /before/.test(err.message),
    );
    await assert.rejects(
      client.searchEvents({ location: { latitude: 1, longitude: 0, radius: 1 }, dateRange: { start: 'next tuesday', end: '2030-01-01' } }),
      (err: unknown) => err instanceof ValidationError && /not a valid date/.test(err.message),
    );
    assert.equal(client.stats.apiCalls, 0);
  });
});
