/**
 * A static web server for iCalendar feeds and HTML pages with JSON-LD, the way calendar hosts
 * and venue sites serve them. Seeded records are split over documents (`/doc-0.ics`,
 * `/doc-1.html`, ...), `pageSize` records each; `files` serves fixtures by name.
 */
import { MockServer, interleave, seedDates, type Fault, type RecordedRequest, type Reply, type SeedOptions } from './common.js';

export type DocumentKind = 'ics' | 'jsonld';

export class DocumentMockServer extends MockServer {
  documents: string[] = [];
  readonly files = new Map<string, { body: string; type: string }>();

  constructor(readonly kind: DocumentKind) {
    super();
  }

  /** URLs of the seeded documents; `query` is appended (e.g. a private feed token). */
  documentUrls(query = ''): string[] {
    return this.documents.map((_, i) => `${this.baseUrl}/doc-${i}.${this.kind === 'ics' ? 'ics' : 'html'}${query}`);
  }

  seed(o: SeedOptions): void {
    const dates = seedDates(o.valid, o.start);
    if (this.kind === 'ics') {
      const valid = dates.map((d, i) => icsVevent(`ics-${i}@demo.test`, d, o.extraField));
      const invalid = Array.from({ length: o.invalid ?? 0 }, (_, i) => icsVevent(`ics-bad-${i}@demo.test`, null));
      this.documents = chunk(interleave(valid, invalid), this.pageSize).map(icsCalendar);
    } else {
      const valid: object[] = dates.map((d, i) => ldEvent(`https://venue.demo.test/events/${i}`, d, o.extraField));
      const invalid = Array.from({ length: o.invalid ?? 0 }, (_, i) => ({ ...ldEvent(`https://venue.demo.test/events/bad-${i}`, dates[0]), startDate: undefined }));
      this.documents = chunk(interleave(valid, invalid), this.pageSize).map((events) => htmlPage([{ '@context': 'https://schema.org', '@graph': events }]));
    }
  }

  protected handle(req: RecordedRequest): Reply {
    const doc = /^\/doc-(\d+)\.(ics|html)$/.exec(req.path);
    if (doc && this.documents[Number(doc[1])] !== undefined) {
      return { status: 200, headers: { 'content-type': this.#type() }, body: this.documents[Number(doc[1])] };
    }
    const file = this.files.get(req.path.replace(/^\/files\//, ''));
    if (file) return { status: 200, headers: { 'content-type': file.type }, body: file.body };
    return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
  }

  protected faultReply(fault: Exclude<Fault, { kind: 'hang' }>): Reply {
    switch (fault.kind) {
      case 'rate-limit':
        return { status: 429, headers: { 'content-type': 'text/plain', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers }, body: 'Too Many Requests' };
      case 'server-error':
        return { status: fault.status ?? 503, headers: { 'content-type': 'text/html', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) }, body: '<html><body>Service Unavailable</body></html>' };
      case 'malformed':
        // A 200 that is not what we asked for: an HTML login page instead of a feed, or a
        // page whose JSON-LD script is cut off.
        return this.kind === 'ics'
          ? { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Please sign in</body></html>' }
          : { status: 200, headers: { 'content-type': 'text/html' }, body: htmlPage(['{"@context":"https://schema.org","@type":"MusicEvent","name":']) };
      case 'unauthorized':
        return { status: 401, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="calendar"' }, body: 'Unauthorized' };
    }
  }

  #type(): string {
    return this.kind === 'ics' ? 'text/calendar; charset=utf-8' : 'text/html; charset=utf-8';
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length ? out : [[]];
}

function icsStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A VEVENT; `start` null makes it invalid (no DTSTART). */
export function icsVevent(uid: string, start: Date | null, extra = false): string {
  return [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20291201T000000Z',
    ...(start ? [`DTSTART:${icsStamp(start)}`, `DTEND:${icsStamp(new Date(start.getTime() + 2 * 3_600_000))}`] : []),
    `SUMMARY:Open mic ${uid}`,
    'LOCATION:Demo Hall\\, Hauptstrasse 1\\, Demo City',
    'GEO:52.52;13.405',
    ...(extra ? ['X-SCENESCOUT-EXTRA:kept'] : []),
    'END:VEVENT',
  ].join('\r\n');
}

export function icsCalendar(vevents: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//SceneScout//Mock//EN', ...vevents, 'END:VCALENDAR', ''].join('\r\n');
}

export function ldEvent(id: string, start: Date, extra = false): Record<string, unknown> {
  return {
    '@type': 'MusicEvent',
    '@id': id,
    name: `Jazz night ${id.split('/').pop()}`,
    startDate: start.toISOString().replace('.000Z', '+00:00'),
    eventStatus: 'https://schema.org/EventScheduled',
    location: { '@type': 'Place', name: 'Demo Hall', address: 'Hauptstrasse 1, Demo City' },
    offers: [{ '@type': 'Offer', price: '12.00', priceCurrency: 'EUR', url: `${id}/tickets` }],
    ...(extra ? { sceneScoutExtra: 'kept' } : {}),
  };
}

/** An HTML page with one JSON-LD script per entry (objects are serialized, strings kept raw). */
export function htmlPage(scripts: Array<object | string>): string {
  const tags = scripts.map((s) => `<script type="application/ld+json">${typeof s === 'string' ? s : JSON.stringify(s)}</script>`);
  return `<!doctype html><html><head><title>Demo venue</title>${tags.join('\n')}</head><body><h1>Programme</h1></body></html>`;
}

const BERLIN_VTIMEZONE = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/**
 * A university-sized calendar: `events` VEVENTs of about `bytesPerEvent` each (a long folded
 * DESCRIPTION), in Europe/Berlin time from 2030-01-01, every 50th a weekly series of 10.
 */
export function largeIcsFeed(events: number, bytesPerEvent = 1000): string {
  const filler = 'Lecture notes and room changes are posted on the faculty page. '.repeat(Math.ceil(bytesPerEvent / 64)).slice(0, Math.max(0, bytesPerEvent - 330));
  const parts: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//SceneScout//Large feed//EN', 'X-WR-TIMEZONE:Europe/Berlin', BERLIN_VTIMEZONE];
  const base = Date.UTC(2030, 0, 1, 9);
  for (let i = 0; i < events; i++) {
    const start = new Date(base + (i % 300) * 86_400_000 + (i % 9) * 3_600_000);
    const local = start.toISOString().replace(/[-:]/g, '').slice(0, 15);
    const end = new Date(start.getTime() + 5_400_000).toISOString().replace(/[-:]/g, '').slice(0, 15);
    const description = `DESCRIPTION:${filler}`.replace(/(.{74})/g, '$1\r\n ');
    parts.push(
      'BEGIN:VEVENT', `UID:large-${i}@uni.demo.test`, 'DTSTAMP:20291201T000000Z',
      `DTSTART;TZID=Europe/Berlin:${local}`, `DTEND;TZID=Europe/Berlin:${end}`,
      ...(i % 50 === 0 ? ['RRULE:FREQ=WEEKLY;COUNT=10'] : []),
      `SUMMARY:Lecture ${i}`, `LOCATION:Hall ${i % 40}\\, Campus`, description.trimEnd(), 'END:VEVENT',
    );
  }
  parts.push('END:VCALENDAR', '');
  return parts.join('\r\n');
}

/** One page with `events` schema.org Events in one JSON-LD `@graph`, one a minute from 2030-01-01. */
export function largeJsonLdPage(events: number, perScript = events): string {
  const base = Date.UTC(2030, 0, 1, 18);
  const graph = Array.from({ length: events }, (_, i) => ldEvent(`https://venue.demo.test/events/large-${i}`, new Date(base + i * 60_000)));
  const scripts: object[] = [];
  for (let i = 0; i < events; i += perScript) scripts.push({ '@context': 'https://schema.org', '@graph': graph.slice(i, i + perScript) });
  return htmlPage(scripts);
}
