/**
 * Finding jobs by the start of their id. A prefix of hex digits (hyphens optional, any case) reads
 * as the range of ids it covers, so both databases answer it from the primary key's index.
 */
import { ReelqueueError } from '../errors.js';

export interface IdRange {
  /** The smallest id with the prefix (the rest filled with 0). */
  low: string;
  /** The largest id with the prefix (the rest filled with f). */
  high: string;
}

const HEX_DIGITS = 32;
/** Where a UUID's hyphens go, counted in hex digits before them. */
const HYPHENS_AFTER = [8, 12, 16, 20];

function asUuid(digits: string): string {
  let text = '';
  for (let i = 0; i < HEX_DIGITS; i++) {
    if (HYPHENS_AFTER.includes(i)) text += '-';
    text += digits[i];
  }
  return text;
}

/** The ids starting with `prefix`; VALIDATION_FAILED unless it is 1 to 32 hex digits (hyphens ignored). */
export function idPrefixRange(prefix: string): IdRange {
  const digits = prefix.trim().replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(digits)) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      'An id prefix is 1 to 32 hexadecimal digits (the start of a job id; hyphens may be left out)',
      { field: 'id_prefix', value: prefix },
    );
  }
  return {
    low: asUuid(digits.padEnd(HEX_DIGITS, '0')),
    high: asUuid(digits.padEnd(HEX_DIGITS, 'f')),
  };
}
