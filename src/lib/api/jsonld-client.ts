/**
 * schema.org Events embedded as JSON-LD in web pages (`params.pages`: http(s) URLs or file
 * paths). Returns the Event objects as the page wrote them, with `"@sourcePage"` added and
 * `{"@id"}` references to other graph nodes filled in. A script with invalid JSON is reported
 * and skipped; a page we cannot fetch is reported and only fails the search when all pages did.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BaseClient, DOCUMENT_MAX_BODY_BYTES, resolveDateRange, resolveLimit } from './base-client.js';
import { forEachDocument, isAbort, isHttpUrl, loadDocument } from './documents.js';
import { BudgetExhaustedError } from '../errors.js';
import { extractJsonLdEvents } from './jsonld-extract.js';
import { yieldToEventLoop } from './event-loop.js';
import { parseSchemaDate, placeOf, type JsonLdEvent } from './jsonld-schema.js';
import type { ClientOptions, SearchParams } from './types.js';

export type { JsonLdEvent } from './jsonld-schema.js';
export { eventStatusOf, offersOf, placeOf, typesOf, parseSchemaDate } from './jsonld-schema.js';

export type JsonLdClientOptions = Omit<ClientOptions, 'apiKey' | 'token' | 'baseUrl'>;

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, application/ld+json;q=0.8, */*;q=0.5';
const DAY_MS = 86_400_000;
/** records validated between two turns of the event loop */
const RECORD_SLICE = 2000;

const eventSchema = z.looseObject({
  name: z.string().trim().min(1),
  startDate: z.string().refine((s) => parseSchemaDate(s) !== null, 'not a schema.org date'),
});

export class JsonLdClient extends BaseClient<JsonLdEvent> {
  constructor(options: JsonLdClientOptions = {}) {
    super(options, { source: 'jsonld', defaultMaxBodyBytes: DOCUMENT_MAX_BODY_BYTES });
  }

  /** `@id` (made absolute against the page), else `url`, else a hash of name, start and place name. */
  externalId(event: JsonLdEvent): string {
    const page = event['@sourcePage'];
    const id = event['@id'];
    if (typeof id === 'string' && id.trim() !== '' && !id.startsWith('_:')) return absolute(id.trim(), page);
    if (typeof event.url === 'string' && event.url.trim() !== '') return absolute(event.url.trim(), page);
    const key = [event.name, event.startDate, placeOf(event)?.name ?? ''].join('\u001f');
    return `sha1:${createHash('sha1').update(key).digest('hex')}`;
  }

  async searchEvents(params: SearchParams): Promise<JsonLdEvent[]> {
    const { start, end } = resolveDateRange(this.source, params.dateRange);
    const limit = resolveLimit(this.source, params.limit);
    const found = new Map<string, { event: JsonLdEvent; at: number }>();
    await forEachDocument(
      params.pages ?? [],
      async (page) => {
        const doc = await loadDocument(this.source, this.http, page, ACCEPT, params.signal);
        const extracted = await extractJsonLdEvents(asHtml(doc.text));
        for (const bad of extracted.invalidScripts) {
          this.skip(`invalid JSON in JSON-LD script #${bad.index + 1} of ${doc.location}: ${bad.message}`, doc.location);
        }
        // In slices, so a page of 100,000 events leaves the thread free to answer heartbeats.
        for (let i = 0; i < extracted.events.length; i += RECORD_SLICE) {
          const tagged = extracted.events.slice(i, i + RECORD_SLICE).map((e) => ({ ...e, '@sourcePage': doc.location }));
          for (const event of this.validRecords(eventSchema, tagged, doc.location)) {
            const parsed = parseSchemaDate(event.startDate)!;
            const at = parsed.at.toMillis();
            const inRange = parsed.allDay ? at <= end.getTime() && at + DAY_MS > start.getTime() : at >= start.getTime() && at <= end.getTime();
            if (!inRange) continue;
            const id = this.externalId(event);
            if (!found.has(id)) found.set(id, { event, at });
          }
          await yieldToEventLoop();
        }
      },
      (page, err) => this.skip(`page failed: ${(err as Error).message}`, isHttpUrl(page) ? this.http.redactUrl(page) : page),
      (err) => err instanceof BudgetExhaustedError || isAbort(err, params.signal),
    );
    return [...found.values()]
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((f) => f.event);
  }
}

/** A bare JSON-LD document (a .jsonld file) is read as if it were one script on a page. */
function asHtml(text: string): string {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return text;
  return `<script type="application/ld+json">${text.replace(/<\/script/gi, '<\\/script')}</script>`;
}

function absolute(ref: string, page: string): string {
  try {
    return new URL(ref, isHttpUrl(page) ? page : undefined).toString();
  } catch {
    return ref.startsWith('#') ? `${page}${ref}` : ref;
  }
}
