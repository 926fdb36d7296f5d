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

export function decodeCursor(cursor: string): ListPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'number' &&
      Number.isFinite(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      isJobId(parsed[1])
    ) {
      return { createdAtMs: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: a cursor that does not parse is reported below
  }
  throw new ReelqueueError('VALIDATION_FAILED', 'The cursor is not one this service handed out', {
    field: 'cursor',
  });
}
