/**
 * iCalendar feeds (`params.feeds`: http(s) URLs or file paths). One `IcsEvent` per occurrence in
 * the date range. A VEVENT we cannot read is reported in `stats.skipped`; a feed we cannot fetch
 * or read is reported too, and only fails the search when every feed failed.
 */
import { z } from 'zod';
import { BaseClient, DOCUMENT_MAX_BODY_BYTES, resolveDateRange, resolveLimit } from './base-client.js';
import { forEachDocument, isAbort, isHttpUrl, loadDocument } from './documents.js';
import { BudgetExhaustedError, NotICalendarError, ProviderError } from '../errors.js';
import { expandCalendarAsync, type IcsEvent } from './ics-expand.js';
import { yieldToEventLoop } from './event-loop.js';
import type { ClientOptions, SearchParams } from './types.js';

export type { IcsEvent, IcsTime } from './ics-expand.js';

export type IcsClientOptions = Omit<ClientOptions, 'apiKey' | 'token' | 'baseUrl'>;

/** records validated between two turns of the event loop */
const RECORD_SLICE = 2000;
const ACCEPT = 'text/calendar, text/plain;q=0.9, */*;q=0.5';

const icsTime = z.object({ utc: z.string().min(1), tzid: z.string().nullable(), local: z.string().min(1), allDay: z.boolean() });
const eventSchema = z.looseObject({ uid: z.string().min(1), start: icsTime, end: icsTime.nullable() });

export class IcsClient extends BaseClient<IcsEvent> {
  constructor(options: IcsClientOptions = {}) {
    super(options, { source: 'ics', defaultMaxBodyBytes: DOCUMENT_MAX_BODY_BYTES });
  }

  /** `uid` for one-off events, `uid@<original start, UTC ISO>` for occurrences of a series. */
  externalId(event: IcsEvent): string {
    return event.recurrenceId ? `${event.uid}@${event.recurrenceId}` : event.uid;
  }

  async searchEvents(params: SearchParams): Promise<IcsEvent[]> {
    const { start, end } = resolveDateRange(this.source, params.dateRange);
    const limit = resolveLimit(this.source, params.limit);
    const found = new Map<string, IcsEvent>();
    await forEachDocument(
      params.feeds ?? [],
      async (feed) => {
        const doc = await loadDocument(this.source, this.http, feed, ACCEPT, params.signal);
        let events: IcsEvent[];
        try {
          events = await expandCalendarAsync(doc.text, {
            feed: doc.location,
            rangeStart: start,
            rangeEnd: end,
            onSkip: (reason, id) => this.skip(reason, id),
          });
        } catch (err) {
          const why = err instanceof NotICalendarError ? 'is not an iCalendar document' : `could not be parsed: ${(err as Error).message}`;
          throw new ProviderError('ERR_PROVIDER_RESPONSE', `ics: feed ${doc.location} ${why}`, {
            source: this.source,
            url: doc.location,
            // The same document parses the same way on every attempt.
            retryable: false,
          });
        }
        // In slices, so a feed of 50,000 events leaves the thread free to answer heartbeats.
        for (let i = 0; i < events.length; i += RECORD_SLICE) {
          for (const event of this.validRecords(eventSchema, events.slice(i, i + RECORD_SLICE), doc.location)) {
            const id = this.externalId(event);
            if (!found.has(id)) found.set(id, event);
          }
          await yieldToEventLoop();
        }
      },
      (feed, err) => this.skip(`feed failed: ${(err as Error).message}`, isHttpUrl(feed) ? this.http.redactUrl(feed) : feed),
      (err) => err instanceof BudgetExhaustedError || isAbort(err, params.signal),
    );
    return [...found.values()].sort((a, b) => a.start.utc.localeCompare(b.start.utc)).slice(0, limit);
  }
}
