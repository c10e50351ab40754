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

export function expandCalendar(input: string, options: ExpandOptions): IcsEvent[] {
  const text = input.replace(/^\uFEFF/, '');
  if (!/^BEGIN:VCALENDAR/im.test(text)) throw new NotICalendarError('no BEGIN:VCALENDAR line');
  const out: IcsEvent[] = [];
  for (const calendar of parseCalendars(text, options)) {
    new CalendarExpander(calendar, options, out).run();
  }
  return out;
}

/** Whole-document parse first; if one bad line breaks it, parse each VEVENT on its own. */
function parseCalendars(text: string, options: ExpandOptions): Component[] {
  try {
    const jcal = ICAL.parse(text) as unknown[];
    const list = (Array.isArray(jcal[0]) ? jcal : [jcal]) as unknown[][];
    return list.map((j) => new ICAL.Component(j)).filter((c) => c.name === 'vcalendar');
  } catch {
    return [parseLeniently(text, options)];
  }
}

function parseLeniently(text: string, options: ExpandOptions): Component {
  const lines = text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const header: string[] = [];
  const blocks: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const upper = line.trim().toUpperCase();
    if (upper === 'BEGIN:VEVENT') current = [];
    if (current) current.push(line);
    else if (upper !== 'BEGIN:VCALENDAR' && upper !== 'END:VCALENDAR' && line.trim() !== '') header.push(line);
    if (upper === 'END:VEVENT' && current) {
      blocks.push(current);
      current = null;
    }
  }
  const wrap = (body: string[]) => ['BEGIN:VCALENDAR', ...body, 'END:VCALENDAR'].join('\r\n');
  let root: Component;
  try {
    root = new ICAL.Component(ICAL.parse(wrap(header)) as unknown[]);
  } catch {
    root = new ICAL.Component('vcalendar');
  }
  for (const block of blocks) {
    try {
      const vevent = new ICAL.Component(ICAL.parse(wrap(block)) as unknown[]).getFirstSubcomponent('vevent');
      if (vevent) root.addSubcomponent(vevent);
    } catch (err) {
      const uid = block.find((l) => /^UID[:;]/i.test(l))?.replace(/^UID[^:]*:/i, '');
      options.onSkip(`unparseable VEVENT in ${options.feed}: ${(err as Error).message}`, uid);
    }
  }
  return root;
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

  run(): void {
    const groups = new Map<string, Component[]>();
    for (const vevent of this.calendar.getAllSubcomponents('vevent')) {
      const uid = vevent.getFirstPropertyValue('uid');
      if (typeof uid !== 'string' || uid.trim() === '') {
        this.options.onSkip(`VEVENT without UID in ${this.options.feed}`, text(vevent, 'summary') ?? undefined);
        continue;
      }
      const group = groups.get(uid) ?? [];
      group.push(vevent);
      groups.set(uid, group);
    }
    for (const [uid, group] of groups) {
      try {
        this.#expandGroup(uid, group);
      } catch (err) {
        this.options.onSkip(`unparseable VEVENT in ${this.options.feed}: ${(err as Error).message}`, uid);
      }
    }
  }

  #expandGroup(uid: string, group: Component[]): void {
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
