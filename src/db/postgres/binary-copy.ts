/**
 * Reads the one field of PostgreSQL's binary COPY format that a piece query returns: `COPY (SELECT
 * one bytea) TO STDOUT (FORMAT binary)` sends a header, at most one row of one field, and a trailer.
 * The output arrives as the socket's Buffers (`parts`); the field comes back as views of them, in
 * order, never copied into one Buffer and never as text.
 * https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.4
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32) and the header extension's length (int32). */
const FIXED_HEADER_BYTES = SIGNATURE.length + 8;
const END_OF_DATA = -1;
const NULL_FIELD = -1;

/** Thrown when a COPY output is not what a one-field query sends: a bug, never a user's input. */
function malformed(reason: string): Error {
  return new Error(`Unexpected binary COPY output: ${reason}`);
}

/** Byte positions across a list of Buffers, as if they were one (without joining them). */
class Parts {
  readonly #parts: readonly Buffer[];
  readonly length: number;

  constructor(parts: readonly Buffer[]) {
    this.#parts = parts;
    this.length = parts.reduce((sum, part) => sum + part.length, 0);
  }

  /** Views of the bytes from `start` to `end` (exclusive), one per part they fall in. */
  slices(start: number, end: number): Buffer[] {
    const views: Buffer[] = [];
    if (end <= start) return views;
    let partStart = 0;
    for (const part of this.#parts) {
      const partEnd = partStart + part.length;
      if (partEnd > start && partStart < end) {
        views.push(part.subarray(Math.max(start - partStart, 0), Math.min(end, partEnd) - partStart));
      }
      if (partEnd >= end) break;
      partStart = partEnd;
    }
    return views;
  }

  /** The `bytes` bytes at `at` as one Buffer: a view when they lie in one part, else a small copy. */
  bytes(at: number, bytes: number): Buffer {
    const views = this.slices(at, at + bytes);
    return views.length === 1 ? (views[0] as Buffer) : Buffer.concat(views, bytes);
  }

  int16(at: number): number {
    return this.bytes(at, 2).readInt16BE(0);
  }

  int32(at: number): number {
    return this.bytes(at, 4).readInt32BE(0);
  }
}

/**
 * The field of the single row in the COPY output `parts` (its Buffers in order), as views of
 * them; null when the query returned no row (or a NULL field), an empty list for an empty field.
 * Throws if `parts` are not a complete binary COPY output of at most one one-field row.
 */
export function singleFieldOfBinaryCopy(parts: readonly Buffer[]): Buffer[] | null {
  const copy = new Parts(parts);
  if (copy.length < FIXED_HEADER_BYTES + 2 || !copy.bytes(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw malformed('no header');
  }
  let at = FIXED_HEADER_BYTES + copy.int32(SIGNATURE.length + 4);
  if (at + 2 > copy.length) throw malformed('cut short');
  const fields = copy.int16(at);
  at += 2;
  if (fields === END_OF_DATA) return null;
  if (fields !== 1) throw malformed(`a row of ${fields} fields`);
  if (at + 4 > copy.length) throw malformed('cut short');
  const length = copy.int32(at);
  at += 4;
  const end = at + Math.max(length, 0);
  if (end + 2 > copy.length) throw malformed('cut short');
  if (end + 2 < copy.length || copy.int16(end) !== END_OF_DATA) throw malformed('more than one row');
  return length === NULL_FIELD ? null : copy.slices(at, end);
}
