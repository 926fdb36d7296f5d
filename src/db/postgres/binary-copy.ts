/**
 * Reads the one field of PostgreSQL's binary COPY format that a piece query returns: `COPY (SELECT
 * one bytea) TO STDOUT (FORMAT binary)` sends a header, at most one row of one field, and a trailer.
 * The field's bytes come back as a view of `copy`, never as text.
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

/**
 * The field of the single row in `copy`, null when the query returned no row (or a NULL field).
 * Throws if `copy` is not a complete binary COPY output of at most one one-field row.
 */
export function singleFieldOfBinaryCopy(copy: Buffer): Buffer | null {
  if (copy.length < FIXED_HEADER_BYTES + 2 || !copy.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw malformed('no header');
  }
  let at = FIXED_HEADER_BYTES + copy.readInt32BE(SIGNATURE.length + 4);
  const fields = copy.readInt16BE(at);
  at += 2;
  if (fields === END_OF_DATA) return null;
  if (fields !== 1) throw malformed(`a row of ${fields} fields`);
  const length = copy.readInt32BE(at);
  at += 4;
  const field = length === NULL_FIELD ? null : copy.subarray(at, at + length);
  at += Math.max(length, 0);
  if (at + 2 > copy.length) throw malformed('cut short');
  if (at + 2 < copy.length || copy.readInt16BE(at) !== END_OF_DATA) throw malformed('more than one row');
  return field;
}
