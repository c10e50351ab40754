import { describe } from 'node:test';
import { EventbriteClient } from '../../../src/lib/api/eventbrite-client.js';
import { IcsClient, type IcsEvent } from '../../../src/lib/api/ics-client.js';
import { JsonLdClient } from '../../../src/lib/api/jsonld-client.js';
import { TicketmasterClient } from '../../../src/lib/api/ticketmaster-client.js';
import type { SearchParams } from '../../../src/lib/api/types.js';
import { YelpClient } from '../../../src/lib/api/yelp-client.js';
import { SEED_RANGE, runProviderContract } from './contract.js';
import { DocumentMockServer } from './servers/documents.js';
import { EventbriteMockServer } from './servers/eventbrite.js';
import { TicketmasterMockServer } from './servers/ticketmaster.js';
import { YelpMockServer } from './servers/yelp.js';

const where: Pick<SearchParams, 'location' | 'dateRange'> = {
  location: { latitude: 52.52, longitude: 13.405, radius: 10_000 },
  dateRange: SEED_RANGE,
};
const extra = (e: unknown) => (e as { sceneScoutExtra?: unknown }).sceneScoutExtra;

// The five contracts wait on timers most of their time (Retry-After, hung requests): they run
// at the same time, each on its own mock server, its own tests one after another.
describe('provider contracts', { concurrency: true }, () => {
  runProviderContract({
    name: 'ticketmaster',
    secret: 'tm-SECRET-key-0123456789',
    server: () => new TicketmasterMockServer('tm-SECRET-key-0123456789').start(),
    newClient: (s, o) => new TicketmasterClient({ ...o, apiKey: 'tm-SECRET-key-0123456789', baseUrl: s.baseUrl }),
    params: () => ({ ...where }),
    malformed: 'throws',
    extraOf: extra,
  });

  runProviderContract({
    name: 'eventbrite',
    secret: 'eb-SECRET-token-ABCDEFGH',
    server: () => new EventbriteMockServer('eb-SECRET-token-ABCDEFGH').start(),
    newClient: (s, o) => new EventbriteClient({ ...o, token: 'eb-SECRET-token-ABCDEFGH', baseUrl: s.baseUrl }),
    params: () => ({ ...where, organizationIds: ['org-1'] }),
    malformed: 'throws',
    extraOf: extra,
  });

  runProviderContract({
    name: 'yelp',
    secret: 'yelp-SECRET-key-ZYXWVUT',
    server: () => new YelpMockServer('yelp-SECRET-key-ZYXWVUT').start(),
    newClient: (s, o) => new YelpClient({ ...o, apiKey: 'yelp-SECRET-key-ZYXWVUT', baseUrl: s.baseUrl }),
    params: () => ({ ...where }),
    malformed: 'throws',
    extraOf: extra,
  });

  runProviderContract({
    name: 'ics',
    secret: 'ics-private-SECRET-9876',
    server: () => new DocumentMockServer('ics').start(),
    newClient: (_s, o) => new IcsClient({ ...o, allowPrivateUrls: true }),
    params: (s) => ({ ...where, feeds: s.documentUrls('?token=ics-private-SECRET-9876') }),
    malformed: 'throws',
    extraOf: (e) => (e as IcsEvent).x['X-SCENESCOUT-EXTRA'],
  });

  runProviderContract({
    name: 'jsonld',
    secret: 'jsonld-preview-SECRET-5555',
    server: () => new DocumentMockServer('jsonld').start(),
    newClient: (_s, o) => new JsonLdClient({ ...o, allowPrivateUrls: true }),
    params: (s) => ({ ...where, pages: s.documentUrls('?key=jsonld-preview-SECRET-5555') }),
    malformed: 'skips',
    extraOf: extra,
  });
});
