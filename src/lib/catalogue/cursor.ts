/**
 * Opaque page cursors: base64url of the last row's (starts_at, id), the keyset the next page
 * starts after. Opaque so that clients pass them back rather than build them.
 */
import { ValidationError } from '../errors.js';

export interface CursorPosition {
  startsAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.startsAt.toISOString(), position.id])).toString('base64url');
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
  throw new ValidationError('cursor: not a cursor returned by this API');
}
