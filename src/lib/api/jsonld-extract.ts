/**
 * Finds schema.org Event nodes in the `<script type="application/ld+json">` blocks of an HTML
 * page: top-level arrays, `@graph`, events nested in other nodes (an ItemList, a Place's
 * `event`), `subEvent`s, and `{"@id": ...}` references to graph nodes for location, organizer,
 * performer and offers.
 */
import { Parser } from 'htmlparser2';
import { yieldToEventLoop } from './event-loop.js';
import { isEventNode } from './jsonld-schema.js';

type Node = Record<string, unknown>;

export interface ExtractResult {
  events: Node[];
  /** scripts that were not valid JSON: index (0-based among JSON-LD scripts) and parse message */
  invalidScripts: Array<{ index: number; message: string }>;
  scriptCount: number;
}

const MAX_DEPTH = 12;
const REFERENCE_KEYS = ['location', 'organizer', 'performer', 'offers', 'superEvent'];

/** HTML fed to the parser between two turns of the event loop. */
const HTML_SLICE = 256 * 1024;

/**
 * The page is read by a streaming HTML parser (htmlparser2) a slice at a time, keeping only
 * the text of JSON-LD scripts, so a 40 MB page costs its scripts' text and their objects, not a
 * document tree; the event loop gets a turn between slices and between scripts.
 */
export async function extractJsonLdEvents(html: string): Promise<ExtractResult> {
  const scripts: string[] = [];
  let inLdScript = false;
  let inScript = false;
  let text: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name !== 'script') return;
        inScript = true;
        inLdScript = (attribs.type ?? '').split(';')[0]!.trim().toLowerCase() === 'application/ld+json';
        text = [];
      },
      ontext(data) {
        if (inLdScript) text.push(data);
      },
      onclosetag(name) {
        if (name !== 'script' || !inScript) return;
        if (inLdScript) scripts.push(text.join(''));
        inScript = false;
        inLdScript = false;
        text = [];
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  for (let i = 0; i < html.length; i += HTML_SLICE) {
    parser.write(html.slice(i, i + HTML_SLICE));
    await yieldToEventLoop();
  }
  parser.end();

  const events: Node[] = [];
  const invalidScripts: ExtractResult['invalidScripts'] = [];
  const byId = new Map<string, Node>();
  for (let index = 0; index < scripts.length; index++) {
    const raw = unwrap(scripts[index]!);
    scripts[index] = '';
    if (raw === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      invalidScripts.push({ index, message: (err as Error).message });
      continue;
    }
    walk(data, events, byId, 0);
    await yieldToEventLoop();
  }
  const resolved: Node[] = [];
  for (let i = 0; i < events.length; i++) {
    resolved.push(resolveReferences(events[i]!, byId));
    if (i % 5000 === 4999) await yieldToEventLoop();
  }
  return { events: resolved, invalidScripts, scriptCount: scripts.length };
}

/** Strips what some CMSs wrap JSON-LD in: HTML comments, CDATA, a trailing semicolon. */
function unwrap(text: string): string {
  return text
    .trim()
    .replace(/^<!--|-->$/g, '')
    .replace(/^\/\*\s*<!\[CDATA\[\s*\*\/|\/\*\s*\]\]>\s*\*\/$/g, '')
    .replace(/^<!\[CDATA\[|\]\]>$/g, '')
    .trim()
    .replace(/;$/, '');
}

function walk(value: unknown, events: Node[], byId: Map<string, Node>, depth: number): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, events, byId, depth + 1);
    return;
  }
  const node = value as Node;
  const id = node['@id'];
  if (typeof id === 'string' && Object.keys(node).length > 1) byId.set(id, node);
  if (isEventNode(node)) {
    events.push(node);
    // Sub-events are events of their own; other properties of an event are not searched.
    walk(node.subEvent, events, byId, depth + 1);
    for (const key of REFERENCE_KEYS) registerIds(node[key], byId);
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== '@context') walk(child, events, byId, depth + 1);
  }
}

function registerIds(value: unknown, byId: Map<string, Node>): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item !== 'object' || item === null) continue;
    const id = (item as Node)['@id'];
    if (typeof id === 'string' && Object.keys(item).length > 1) byId.set(id, item as Node);
  }
}

/** A shallow copy of `event` with `{"@id": x}` references replaced by the node they name. */
function resolveReferences(event: Node, byId: Map<string, Node>): Node {
  const copy: Node = { ...event };
  for (const key of REFERENCE_KEYS) {
    const value = copy[key];
    if (value === undefined) continue;
    copy[key] = Array.isArray(value) ? value.map((v) => deref(v, byId)) : deref(value, byId);
  }
  return copy;
}

function deref(value: unknown, byId: Map<string, Node>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  const id = (value as Node)['@id'];
  if (keys.length === 1 && typeof id === 'string') return byId.get(id) ?? value;
  return value;
}
