/**
 * Defence in depth for the stores: a number that reaches SQL must be finite and in range, whoever
 * called (the HTTP schemas refuse these first; the CLI and library callers meet this check). A
 * refusal is VALIDATION_FAILED naming the argument, thrown before any statement runs.
 */
import { ReelqueueError } from '../errors.js';

export interface NumberRange {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/** `value`, or VALIDATION_FAILED when it is not a finite number within `range`. */
export function checkedNumber(field: string, value: number, range: NumberRange): number {
  const kind = range.integer ? 'a whole number' : 'a number';
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    value < range.min ||
    value > range.max
  ) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `${field} must be ${kind} from ${range.min} to ${range.max}, got ${String(value)}`,
      { field },
    );
  }
  return value;
}

/** A page size: 1 to 10,000 rows. */
export const checkedLimit = (value: number, field = 'limit'): number =>
  checkedNumber(field, value, { min: 1, max: 10_000, integer: true });

/** An age or window in hours or minutes: zero up to a hundred years. */
export const checkedHours = (field: string, value: number): number =>
  checkedNumber(field, value, { min: 0, max: 24 * 365 * 100 });

export const checkedMinutes = (field: string, value: number): number =>
  checkedNumber(field, value, { min: 0, max: 60 * 24 * 365 * 100 });

/**
 * A page of a job's event log: after an event id (FROM_THE_START is -1), up to 10,000 events; a
 * limit of 0 reads nothing (the store's contract, which the conformance suite states).
 */
export function checkedEventsPage(afterEventId: number, limit: number): void {
  checkedNumber('after', afterEventId, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true });
  checkedNumber('limit', limit, { min: 0, max: 10_000, integer: true });
}
