/**
 * An iCalendar document cut into its calendars and their VEVENT blocks as text, without parsing
 * it (ics-expand.ts parses and expands one UID's blocks at a time).
 *
 * The cutting is done in steps of a bounded size (a few hundred kilobytes unfolded, a few
 * hundred BEGIN/END lines read), so a caller can give the event loop a turn between them: done
 * in one go, cutting a 10 MB feed kept a worker thread from answering heartbeats for over a
 * second on a loaded machine, and the cost grows with the feed up to its 50 MB cap.
 */

export interface RawCalendar {
  /** the calendar's own lines (properties, VTIMEZONEs, ...) wrapped in BEGIN/END:VCALENDAR */
  header: string;
  /** each VEVENT's text, BEGIN to END */
  blocks: string[];
}

/** characters of the document unfolded in one step */
const UNFOLD_SLICE = 256 * 1024;
/** BEGIN/END lines read in one step */
const BOUNDARY_SLICE = 500;

const FOLD = /\r?\n[ \t]/g;
const BOUNDARY = /^[ \t]*(BEGIN|END):(VCALENDAR|VEVENT)[ \t]*\r?$/gim;

/** Cuts the document's text into calendars and their VEVENT blocks, yielding between steps. */
export function* splitCalendars(text: string): Generator<void, RawCalendar[]> {
  const unfolded = yield* unfold(text);
  const calendars: Array<{ header: string[]; blocks: string[] }> = [];
  let current: { header: string[]; blocks: string[] } | null = null;
  let headerFrom = 0;
  let eventFrom = -1;
  let read = 0;
  for (const m of unfolded.matchAll(BOUNDARY)) {
    if (++read % BOUNDARY_SLICE === 0) yield;
    const at = m.index;
    const after = at + m[0].length;
    const what = `${m[1]!.toUpperCase()}:${m[2]!.toUpperCase()}`;
    if (what === 'BEGIN:VCALENDAR' && eventFrom < 0) {
      if (current) current.header.push(unfolded.slice(headerFrom, at));
      current = { header: [], blocks: [] };
      calendars.push(current);
      headerFrom = after;
    } else if (what === 'BEGIN:VEVENT') {
      // A VEVENT with no END before the next BEGIN is dropped, as a whole-document parser would.
      if (!current) {
        current = { header: [], blocks: [] };
        calendars.push(current);
      }
      if (eventFrom < 0) current.header.push(unfolded.slice(headerFrom, at));
      eventFrom = at;
    } else if (what === 'END:VEVENT' && eventFrom >= 0 && current) {
      current.blocks.push(unfolded.slice(eventFrom, after));
      eventFrom = -1;
      headerFrom = after;
    } else if (what === 'END:VCALENDAR' && eventFrom < 0 && current) {
      current.header.push(unfolded.slice(headerFrom, at));
      current = null;
      headerFrom = after;
    }
  }
  if (current && eventFrom < 0) current.header.push(unfolded.slice(headerFrom));
  return calendars.map((c) => ({ header: wrapCalendar(c.header.join('\r\n')), blocks: c.blocks }));
}

/**
 * The text with folded lines joined, a slice at a time. Each slice ends after a line break that
 * no folded line continues, so no fold spans two slices and the result is the same as unfolding
 * the whole text at once.
 */
function* unfold(text: string): Generator<void, string> {
  const parts: string[] = [];
  let from = 0;
  while (from < text.length) {
    const to = sliceEnd(text, from + UNFOLD_SLICE);
    parts.push(text.slice(from, to).replace(FOLD, ''));
    from = to;
    if (from < text.length) yield;
  }
  return parts.join('');
}

/** The first index at or after `at` that follows a line break whose next line is not a fold. */
function sliceEnd(text: string, at: number): number {
  let search = at - 1;
  while (search < text.length) {
    const newline = text.indexOf('\n', search);
    if (newline < 0 || newline + 1 >= text.length) break;
    const next = text.charCodeAt(newline + 1);
    if (next !== 0x20 && next !== 0x09) return newline + 1;
    search = newline + 1;
  }
  return text.length;
}

function wrapCalendar(body: string): string {
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
  return ['BEGIN:VCALENDAR', ...lines, 'END:VCALENDAR'].join('\r\n');
}
