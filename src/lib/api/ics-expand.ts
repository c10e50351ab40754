/**
 * iCalendar text → one plain `IcsEvent` per occurrence inside a date range, via ical.js.
 *
 * Times: a TZID with its VTIMEZONE uses that definition; a TZID without one falls back to the
 * IANA zone of that name (luxon); floating times use the calendar's X-WR-TIMEZONE, else UTC.
 * Recurrences (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are expanded by ical.js and the
 * wall-clock time is kept across DST changes.
 */
import ICAL from 'ical.js';
import { DateTime, IANAZone } from 'luxon';
import { NotICalendarError } from '../errors.js';
import { yieldToEventLoop } from './event-loop.js';
import { splitCalendars } from './ics-split.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;

export interface IcsTime {
  /** UTC instant, ISO 8601 with milliseconds; all-day dates: midnight in the calendar's zone */
  utc: string;
  /**
   * TZID as written in the feed ('UTC' for Z times; the IANA name when we fell back to it);
   * null for floating times and all-day dates
   */
  tzid: string | null;
  /** wall-clock time as written: 'YYYY-MM-DDTHH:mm:ss', or 'YYYY-MM-DD' for all-day */
  local: string;
  allDay: boolean;
}

/** One occurrence of a VEVENT, JSON-serializable; stored as `raw_events.data`. */
export interface IcsEvent {
  uid: string;
  /** UTC ISO of the occurrence's original start (its RECURRENCE-ID); null for one-off events */
  recurrenceId: string | null;
  /** true when the occurrence comes from an RRULE/RDATE series */
  recurring: boolean;
  summary: string | null;
  description: string | null;
  location: string | null;
  url: string | null;
  geo: { lat: number; lon: number } | null;
  /** STATUS as written, upper case: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED' | null */
  status: string | null;
  categories: string[];
  start: IcsTime;
  /** from DTEND or DURATION; all-day events without either last one day; otherwise null */
  end: IcsTime | null;
  sequence: number | null;
  lastModified: string | null;
  /** X- properties of the VEVENT, by upper-case name */
  x: Record<string, string>;
  /** the feed URL (redacted) or file path */
  feed: string;
}

export interface ExpandOptions {
  feed: string;
  rangeStart: Date;
  rangeEnd: Date;
  onSkip(reason: string, id?: string): void;
  /** safety stop for series with no end that started long ago; default 20000 */
  maxOccurrences?: number;
}

const DAY_MS = 86_400_000;
/** Overrides may move an occurrence earlier; look this far past the range for them. */
const LOOKAHEAD_MS = 31 * DAY_MS;

/** Expands the whole calendar at once (small documents, tools). Workers use `expandCalendarAsync`. */
export function expandCalendar(input: string, options: ExpandOptions): IcsEvent[] {
  const out: IcsEvent[] = [];
  for (const _step of expansionSteps(input, options, out)) {
    // run to the end
  }
  return out;
}

/**
 * The same as `expandCalendar`, giving the event loop a turn whenever about `sliceMs` of work
 * has been done, so a worker thread keeps answering heartbeats while it reads a 50 MB feed.
 */
export async function expandCalendarAsync(input: string, options: ExpandOptions, sliceMs = 20): Promise<IcsEvent[]> {
  const out: IcsEvent[] = [];
  let since = performance.now();
  for (const _step of expansionSteps(input, options, out)) {
    if (performance.now() - since >= sliceMs) {
      await yieldToEventLoop();
      since = performance.now();
    }
  }
  return out;
}

/**
 * The work of expanding a calendar, in steps (the cutting of the text in slices, one per few
 * hundred blocks sorted by UID, one per group of VEVENTs sharing a UID, and one per few hundred
 * occurrences of a long series), so a caller can pause between them. The document is never
 * parsed whole: it is cut into calendars and VEVENT blocks as text (ics-split.ts), each UID's blocks
 * are parsed, expanded and dropped, so memory holds the text and the results, not a parse tree.
 * One block that does not parse is reported and skipped; the others are read.
 */
function* expansionSteps(input: string, options: ExpandOptions, out: IcsEvent[]): Generator<void> {
  const text = input.replace(/^\uFEFF/, '');
  if (!/^BEGIN:VCALENDAR/im.test(text)) throw new NotICalendarError('no BEGIN:VCALENDAR line');
  for (const raw of yield* splitCalendars(text)) {
    yield;
    const root = parseHeader(raw.header);
    const expander = new CalendarExpander(root, options, out);
    const groups = new Map<string, string[]>();
    for (let i = 0; i < raw.blocks.length; i++) {
      if (i % GROUP_SLICE === GROUP_SLICE - 1) yield;
      const block = raw.blocks[i]!;
      const uid = UID_LINE.exec(block)?.[1]?.trim() ?? '';
      const group = groups.get(uid) ?? [];
      group.push(block);
      groups.set(uid, group);
    }
    raw.blocks.length = 0;
    for (const [uid, blocks] of groups) {
      const components: Component[] = [];
      for (const block of blocks) {
        const vevent = parseBlock(block, options);
        if (vevent) components.push(vevent);
      }
      for (const c of components) root.addSubcomponent(c);
      try {
        yield* expander.expandGroup(uid, components);
      } finally {
        for (const c of components) root.removeSubcomponent(c);
      }
      groups.delete(uid);
      yield;
    }
  }
}

const UID_LINE = /^UID(?:;[^:\r\n]*)?:(.*?)\r?$/im;
/** VEVENT blocks sorted by UID in one step */
const GROUP_SLICE = 500;

function parseHeader(header: string): Component {
  try {
    return new ICAL.Component(ICAL.parse(header) as unknown[]);
  } catch {
    return new ICAL.Component('vcalendar');
  }
}

/** One VEVENT block; a block that does not parse is reported and skipped. */
function parseBlock(block: string, options: ExpandOptions): Component | null {
  try {
    const parsed = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${block}\r\nEND:VCALENDAR`) as unknown[]).getFirstSubcomponent('vevent');
    return parsed;
  } catch (err) {
    const uid = UID_LINE.exec(block)?.[1]?.trim();
    options.onSkip(`unparseable VEVENT in ${options.feed}: ${(err as Error).message}`, uid || undefined);
    return null;
  }
}

class CalendarExpander {
  readonly #defaultZone: string;

  constructor(
    private readonly calendar: Component,
    private readonly options: ExpandOptions,
    private readonly out: IcsEvent[],
  ) {
    const xwr = calendar.getFirstPropertyValue('x-wr-timezone');
    this.#defaultZone = (typeof xwr === 'string' && ianaZone(xwr)) || 'UTC';
  }

  /** Expands the VEVENTs of one UID (a series and its overrides, or one event); yields now and then. */
  *expandGroup(uid: string, group: Component[]): Generator<void> {
    if (uid === '') {
      for (const vevent of group) this.options.onSkip(`VEVENT without UID in ${this.options.feed}`, text(vevent, 'summary') ?? undefined);
      return;
    }
    try {
      yield* this.#expandGroup(uid, group);
    } catch (err) {
      this.options.onSkip(`unparseable VEVENT in ${this.options.feed}: ${(err as Error).message}`, uid);
    }
  }

  *#expandGroup(uid: string, group: Component[]): Generator<void> {
    const master = group.find((c) => !c.hasProperty('recurrence-id'));
    const overrides = group.filter((c) => c.hasProperty('recurrence-id'));
    if (!master) {
      // Overrides whose series is not in this feed: each stands alone.
      for (const c of overrides) this.#emitSingle(uid, c, this.#toIcsTime(recurrenceIdOf(c), tzidParam(c, 'recurrence-id')).utc);
      return;
    }
    requireStart(master);
    const event = new ICAL.Event(master);
    if (!event.isRecurring()) {
      this.#emitSingle(uid, master, null);
      return;
    }
    for (const c of overrides) {
      requireStart(c);
      event.relateException(c);
    }
    const stopAt = this.options.rangeEnd.getTime() + LOOKAHEAD_MS;
    const max = this.options.maxOccurrences ?? 20_000;
    const masterTzid = tzidParam(master, 'dtstart');
    const iterator = event.iterator();
    let count = 0;
    for (let occurrence = iterator.next(); occurrence; occurrence = iterator.next()) {
      const original = this.#toIcsTime(occurrence, masterTzid);
      if (Date.parse(original.utc) > stopAt) break;
      if (count % 200 === 199) yield;
      if (++count > max) {
        this.options.onSkip(`stopped expanding ${uid} after ${max} occurrences`, uid);
        break;
      }
      const details = event.getOccurrenceDetails(occurrence);
      const item = details.item.component;
      const start = this.#toIcsTime(details.startDate, tzidParam(item, 'dtstart'));
      if (!this.#inRange(start)) continue;
      const end = hasEnd(item, start) ? this.#toIcsTime(details.endDate, tzidParam(item, 'dtend') ?? tzidParam(item, 'dtstart')) : null;
      this.out.push(this.#build(uid, item, { recurrenceId: original.utc, recurring: true, start, end }));
    }
  }

  #emitSingle(uid: string, c: Component, recurrenceId: string | null): void {
    requireStart(c);
    const event = new ICAL.Event(c);
    const start = this.#toIcsTime(event.startDate, tzidParam(c, 'dtstart'));
    if (!this.#inRange(start)) return;
    const end = hasEnd(c, start) ? this.#toIcsTime(event.endDate, tzidParam(c, 'dtend') ?? tzidParam(c, 'dtstart')) : null;
    this.out.push(this.#build(uid, c, { recurrenceId, recurring: false, start, end }));
  }

  #inRange(start: IcsTime): boolean {
    const t = Date.parse(start.utc);
    const from = this.options.rangeStart.getTime();
    const to = this.options.rangeEnd.getTime();
    // An all-day event is in range when any part of its day is.
    return start.allDay ? t <= to && t + DAY_MS > from : t >= from && t <= to;
  }

  #build(uid: string, c: Component, at: Pick<IcsEvent, 'recurrenceId' | 'recurring' | 'start' | 'end'>): IcsEvent {
    const status = text(c, 'status');
    const sequence = Number(c.getFirstPropertyValue('sequence'));
    const lastModified = c.getFirstPropertyValue('last-modified');
    return {
      uid,
      recurrenceId: at.recurrenceId,
      recurring: at.recurring,
      summary: text(c, 'summary'),
      description: text(c, 'description'),
      location: text(c, 'location'),
      url: text(c, 'url'),
      geo: geoOf(c),
      status: status ? status.toUpperCase() : null,
      categories: c
        .getAllProperties('categories')
        .flatMap((p) => p.getValues())
        .map((v) => String(v).trim())
        .filter(Boolean),
      start: at.start,
      end: at.end,
      sequence: c.hasProperty('sequence') && Number.isFinite(sequence) ? sequence : null,
      lastModified: lastModified instanceof ICAL.Time ? this.#toIcsTime(lastModified, null).utc : null,
      x: Object.fromEntries(
        c
          .getAllProperties()
          .filter((p) => p.name.startsWith('x-'))
          .map((p) => [p.name.toUpperCase(), String(p.getFirstValue())]),
      ),
      feed: this.options.feed,
    };
  }

  #toIcsTime(time: Time, tzid: string | null): IcsTime {
    const date = `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`;
    if (time.isDate) {
      const utc = DateTime.fromObject({ year: time.year, month: time.month, day: time.day }, { zone: this.#defaultZone }).toUTC();
      return { utc: utc.toISO()!, tzid: null, local: date, allDay: true };
    }
    const local = `${date}T${pad(time.hour)}:${pad(time.minute)}:${pad(time.second)}`;
    const zoneId = time.zone?.tzid;
    if (zoneId === 'UTC') {
      return { utc: new Date(time.toUnixTime() * 1000).toISOString(), tzid: 'UTC', local, allDay: false };
    }
    if (zoneId && zoneId !== 'floating' && time.zone.component) {
      // Defined by a VTIMEZONE in this feed.
      return { utc: new Date(time.toUnixTime() * 1000).toISOString(), tzid: tzid ?? zoneId, local, allDay: false };
    }
    const fallback = tzid ? ianaZone(tzid) : null;
    const wall = { year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second };
    const utc = DateTime.fromObject(wall, { zone: fallback ?? this.#defaultZone }).toUTC();
    return { utc: utc.toISO()!, tzid: fallback, local, allDay: false };
  }
}

function requireStart(c: Component): void {
  if (!c.hasProperty('dtstart')) throw new Error('missing DTSTART');
  const start = c.getFirstPropertyValue('dtstart');
  if (!(start instanceof ICAL.Time)) throw new Error('DTSTART is not a date or date-time');
}

function recurrenceIdOf(c: Component): Time {
  const value = c.getFirstPropertyValue('recurrence-id');
  if (!(value instanceof ICAL.Time)) throw new Error('RECURRENCE-ID is not a date or date-time');
  return value;
}

function hasEnd(c: Component, start: IcsTime): boolean {
  return c.hasProperty('dtend') || c.hasProperty('duration') || start.allDay;
}

function tzidParam(c: Component, name: string): string | null {
  const value = c.getFirstProperty(name)?.getParameter('tzid');
  const tzid = Array.isArray(value) ? value[0] : value;
  return typeof tzid === 'string' && tzid.trim() !== '' ? tzid.trim() : null;
}

function text(c: Component, name: string): string | null {
  const value = c.getFirstPropertyValue(name);
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

function geoOf(c: Component): IcsEvent['geo'] {
  const value = c.getFirstPropertyValue('geo') as unknown;
  if (!Array.isArray(value) || value.length < 2) return null;
  const lat = Number(value[0]);
  const lon = Number(value[1]);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}

/** The IANA name for a TZID, tolerating '/mozilla.org/20050126_1/Europe/Berlin'-style prefixes. */
export function ianaZone(tzid: string): string | null {
  const clean = tzid.replace(/^"|"$/g, '').trim();
  if (IANAZone.isValidZone(clean)) return clean;
  const parts = clean.split('/').filter(Boolean);
  for (let i = 1; i < parts.length - 1; i++) {
    const candidate = parts.slice(i).join('/');
    if (IANAZone.isValidZone(candidate)) return candidate;
  }
  return null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
