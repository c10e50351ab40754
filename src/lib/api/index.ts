/**
 * Provider clients: one per source, all keeping `ProviderClient`.
 *
 *   const limiter = createProviderLimiter({ providers: spawnConfig.providers, redis });
 *   const client = createClient('ticketmaster', { ...spawnConfig.providers.ticketmaster, limiter, logger });
 *   const events = await client.searchEvents({ location, dateRange });
 */
import { ValidationError } from '../errors.js';
import { EventbriteClient, type EventbriteClientOptions } from './eventbrite-client.js';
import { IcsClient, type IcsClientOptions } from './ics-client.js';
import { JsonLdClient, type JsonLdClientOptions } from './jsonld-client.js';
import { TicketmasterClient, type TicketmasterClientOptions } from './ticketmaster-client.js';
import { SOURCES, type ClientOptions, type ProviderClient, type SourceId } from './types.js';
import { YelpClient, type YelpClientOptions } from './yelp-client.js';

export { SOURCES, isSourceId } from './types.js';
export type { SourceId, SearchParams, ProviderClient, ClientStats, ClientOptions, Logger, SkippedRecord } from './types.js';
export { createProviderLimiter, type ProviderLimiter, type ProviderLimiterOptions, type ProviderLimits, type BudgetStatus } from './rate-limit.js';
export { BudgetExhaustedError, ProviderError, ProviderRequestError, type ProviderErrorCode } from '../errors.js';
export { redactUrl, redactText } from '../redact.js';
export { TicketmasterClient, type TicketmasterClientOptions, type TicketmasterEvent, type TicketmasterVenue } from './ticketmaster-client.js';
export { EventbriteClient, type EventbriteClientOptions, type EventbriteEvent } from './eventbrite-client.js';
export { YelpClient, type YelpClientOptions, type YelpEvent } from './yelp-client.js';
export { IcsClient, type IcsClientOptions, type IcsEvent, type IcsTime } from './ics-client.js';
export { JsonLdClient, type JsonLdClientOptions, type JsonLdEvent, eventStatusOf, offersOf, placeOf, typesOf, parseSchemaDate } from './jsonld-client.js';

export interface ClientOptionsBySource {
  ticketmaster: TicketmasterClientOptions;
  eventbrite: EventbriteClientOptions;
  yelp: YelpClientOptions;
  ics: IcsClientOptions;
  jsonld: JsonLdClientOptions;
}

export interface ClientBySource {
  ticketmaster: TicketmasterClient;
  eventbrite: EventbriteClient;
  yelp: YelpClient;
  ics: IcsClient;
  jsonld: JsonLdClient;
}

/**
 * The client for `source`. Extra fields in `options` are ignored, so a `ProviderConfig`
 * (apiKey, baseUrl, dailyBudget, ratePerSecond) can be spread in as is.
 * Throws ConfigError when a key-based source has no key.
 */
export function createClient<S extends SourceId>(source: S, options?: ClientOptionsBySource[S]): ClientBySource[S];
export function createClient(source: SourceId, options?: ClientOptions): ProviderClient;
export function createClient(source: SourceId, options: ClientOptions = {}): ProviderClient {
  // `undefined` baseUrl in a ProviderConfig means "the provider's default".
  const opts = { ...options, baseUrl: options.baseUrl || undefined };
  switch (source) {
    case 'ticketmaster':
      return new TicketmasterClient(opts);
    case 'eventbrite':
      return new EventbriteClient(opts);
    case 'yelp':
      return new YelpClient(opts);
    case 'ics':
      return new IcsClient(opts);
    case 'jsonld':
      return new JsonLdClient(opts);
    default:
      throw new ValidationError(`unknown source ${JSON.stringify(source)}; expected one of ${SOURCES.join(', ')}`);
  }
}
