/**
 * The timestamptz parser of the PostgreSQL pool gives the same Date as the driver's own parser for
 * every text PostgreSQL writes, and hands what it does not read to that parser. The texts the server
 * really writes, in several time zones, are checked in test/conformance/postgres-timestamps.test.ts.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/db/postgres/timestamp-parser.js';

const driverParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');

const TEXTS = [
  '2026-12-04 23:31:57+00',
  '2026-12-04 23:31:57.1+00',
  '2026-12-04 23:31:57.12+00',
  '2026-12-04 23:31:57.123+00',
  '2026-12-04 23:31:57.123456+00',
  '2026-12-04 23:31:57.999999+00',
  '2026-01-01 00:00:00.000001+00',
  '2026-12-04 23:31:57.5+05:30',
  '2026-12-04 23:31:57-08',
  '2026-12-04 03:31:57.25-03:30',
  '1890-01-01 00:19:32+00:19:32',
  '1890-01-01 00:00:00.5-00:17:30',
  '2024-02-29 12:00:00+14',
  '1970-01-01 00:00:00+00',
  '9999-12-31 23:59:59.999999+00',
];

const FALLBACK = [
  'infinity',
  '-infinity',
  '0044-03-15 12:00:00+00',
  '0044-03-15 12:00:00+00 BC',
  '10000-01-01 00:00:00+00',
];

/** The JSON form (to_json) of a text of TEXTS: 'T' between date and time, minutes in the offset. */
const jsonForm = (text: string): string => text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');

describe('parseTimestamptz', () => {
  it('reads what PostgreSQL writes into the Date the driver makes', () => {
    for (const text of TEXTS) {
      const parsed = parseTimestamptz(text);
      expect(parsed, text).toBeInstanceOf(Date);
      expect(parsed.getTime(), text).toBe((driverParser(text) as Date).getTime());
    }
  });

  it('reads the JSON form of the same texts into the same Dates', () => {
    for (const text of TEXTS) {
      expect(parseTimestamptz(jsonForm(text)).getTime(), jsonForm(text)).toBe(
        (driverParser(text) as Date).getTime(),
      );
    }
  });

  it('hands the JSON form of other shapes to the driver as its text form', () => {
    const bc = parseTimestamptz('0044-03-15T12:19:32+00:19:32 BC');
    expect(bc.getTime()).toBe((driverParser('0044-03-15 12:19:32+00:19:32 BC') as Date).getTime());
    expect(bc.getUTCFullYear()).toBe(-43);
    expect(parseTimestamptz('2026-12-04T23:31:57Z').toISOString()).toBe('2026-12-04T23:31:57.000Z');
    expect(parseTimestamptz('10000-01-01T05:29:59.999+05:30').toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('drops fractions of a millisecond, as the driver does', () => {
    expect(parseTimestamptz('2026-12-04 23:31:57.123999+00').toISOString()).toBe('2026-12-04T23:31:57.123Z');
  });

  it('applies the offset with its sign', () => {
    expect(parseTimestamptz('2026-12-04 05:00:00+05:30').toISOString()).toBe('2026-12-03T23:30:00.000Z');
    expect(parseTimestamptz('2026-12-04 05:00:00-03:30:45').toISOString()).toBe('2026-12-04T08:30:45.000Z');
  });

  it("hands other shapes to the driver's parser", () => {
    for (const text of FALLBACK) {
      const expected: unknown = driverParser(text);
      const parsed: unknown = parseTimestamptz(text);
      if (expected instanceof Date) expect((parsed as Date).getTime(), text).toBe(expected.getTime());
      else expect(parsed, text).toEqual(expected);
    }
    expect(parseTimestamptz('infinity')).toBe(Number.POSITIVE_INFINITY);
  });
});
