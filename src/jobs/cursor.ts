/** Opaque keyset cursors for listings ordered by (created_at DESC, id DESC). */
import { ReelqueueError } from '../errors.js';
import { isJobId } from './model.js';

export interface ListPosition {
  createdAtMs: number;
  id: string;
}

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.id])).toString('base64url');
}

/**
 * Creation times a cursor may carry: whole milliseconds from 1970 to the end of year 9999, a range
 * every database and `Date` can hold (PostgreSQL refuses the far ends of JavaScript's range).
 */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function isCursorTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= LATEST_MS;
}

/**
 * Decodes a cursor this service handed out, strictly: well-formed base64url of `[time, id]` with a
 * time in range and a UUID, and nothing else (re-encoding it gives back the same text).
 */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      isCursorTime(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      isJobId(parsed[1])
    ) {
      const position = { createdAtMs: parsed[0], id: parsed[1] };
      if (encodeCursor(position) === cursor) return position;
    }
  } catch {
    // fall through: a cursor that does not parse is reported below
  }
  throw new ReelqueueError('VALIDATION_FAILED', 'The cursor is not one this service handed out', {
    field: 'cursor',
  });
}
