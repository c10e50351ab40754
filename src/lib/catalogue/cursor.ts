/**
 * Opaque page cursors: base64url of the last row's position in the page order, the keyset the
 * next page starts after. Start order: [startsAt, id]; distance or relevance order:
 * [kind, key, id]. Opaque so that clients pass them back rather than build them.
 */
import { ValidationError } from '../errors.js';

export type CursorPosition =
  | { kind?: undefined; startsAt: Date; key?: undefined; id: string }
  | { kind: 'distance' | 'relevance'; startsAt?: undefined; key: number; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  const value = position.kind ? [position.kind, position.key, position.id] : [position.startsAt.toISOString(), position.id];
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
    const startsAt = new Date(value[0]);
    if (Number.isFinite(startsAt.getTime()) && UUID.test(value[1])) return { startsAt, id: value[1] };
  }
  if (Array.isArray(value) && value.length === 3 && (value[0] === 'distance' || value[0] === 'relevance')
    && typeof value[1] === 'number' && Number.isFinite(value[1]) && typeof value[2] === 'string' && UUID.test(value[2])) {
    return { kind: value[0], key: value[1], id: value[2] };
  }
  throw new ValidationError('cursor: not a cursor returned by this API');
}
