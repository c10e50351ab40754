/**
 * `loadClient`: the client for a source, its module loaded when first asked for. A discovery
 * thread loads only the providers its tasks name (an iCalendar-only city never loads the
 * JSON-LD parser or the API clients), which keeps an idle thread small. `createClient` in
 * index.ts is the same without the wait, for callers that have every client loaded anyway.
 */
import { ValidationError } from '../errors.js';
import type { ClientOptions, ProviderClient, SourceId } from './types.js';

export async function loadClient(source: SourceId, options: ClientOptions = {}): Promise<ProviderClient> {
  // `undefined` baseUrl in a ProviderConfig means "the provider's default".
  const opts = { ...options, baseUrl: options.baseUrl || undefined };
  switch (source) {
    case 'ticketmaster':
      return new (await import('./ticketmaster-client.js')).TicketmasterClient(opts);
    case 'eventbrite':
      return new (await import('./eventbrite-client.js')).EventbriteClient(opts);
    case 'yelp':
      return new (await import('./yelp-client.js')).YelpClient(opts);
    case 'ics':
      return new (await import('./ics-client.js')).IcsClient(opts);
    case 'jsonld':
      return new (await import('./jsonld-client.js')).JsonLdClient(opts);
    default: {
      const { SOURCES } = await import('./types.js');
      throw new ValidationError(`unknown source ${JSON.stringify(source)}; expected one of ${SOURCES.join(', ')}`);
    }
  }
}
