/** Byte ranges of a chunked artifact: which bytes a request means, and which chunks hold them. */
import { rangeNotSatisfiable } from './errors.js';
import type { ByteRange } from './model.js';

export interface ResolvedRange {
  offset: number;
  length: number;
}

/**
 * The exact range a request means in content of `size` bytes. Strict: a range that starts or ends
 * past the content is refused with RANGE_NOT_SATISFIABLE (an HTTP layer clamps `bytes=a-b` first).
 * A zero-length range anywhere up to the end is allowed and reads nothing.
 */
export function resolveRange(size: number, range: ByteRange = {}): ResolvedRange {
  const offset = range.offset ?? 0;
  const length = range.length ?? size - offset;
  const valid =
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= size;
  if (!valid) throw rangeNotSatisfiable(size, offset, range.length);
  return { offset, length };
}

/** The chunks, first to last inclusive, that hold a non-empty range. */
export function chunkSpan(range: ResolvedRange, chunkSize: number): { first: number; last: number } {
  return {
    first: Math.floor(range.offset / chunkSize),
    last: Math.floor((range.offset + range.length - 1) / chunkSize),
  };
}

/** How many bytes chunk `seq` of content of `size` bytes holds. */
export function chunkLength(seq: number, size: number, chunkSize: number): number {
  return Math.max(0, Math.min(chunkSize, size - seq * chunkSize));
}

/** The part of chunk `seq` that falls inside the range, as start and end offsets within the chunk. */
export function sliceOfChunk(
  seq: number,
  range: ResolvedRange,
  chunkSize: number,
  chunkBytes: number,
): { start: number; end: number } {
  const chunkStart = seq * chunkSize;
  return {
    start: Math.max(range.offset, chunkStart) - chunkStart,
    end: Math.min(range.offset + range.length, chunkStart + chunkBytes) - chunkStart,
  };
}
