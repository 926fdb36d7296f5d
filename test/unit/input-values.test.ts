/**
 * The edge checks on input values: cursors decoded strictly, request parts walked for numbers that
 * are not finite and text that is not valid Unicode, and the stores' own range checks.
 */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/jobs/cursor.js';
import { checkedLimit, checkedNumber } from '../../src/jobs/numeric-arguments.js';
import { firstUnrepresentable } from '../../src/api/schemas/representable-values.js';

const ID = '01936f3e-1c2b-7d4e-8f90-123456789abc';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('listing cursors', () => {
  it('decode what encodeCursor wrote', () => {
    const position = { createdAtMs: Date.UTC(2026, 11, 7), id: ID };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    ['a time beyond year 9999', raw([1e300, ID])],
    ['a time before 1970', raw([-1, ID])],
    ['the far end of JavaScript dates', raw([8.64e15, ID])],
    ['a fractional time', raw([1.5, ID])],
    ['a time as text', raw(['1700000000000', ID])],
    ['an id that is no UUID', raw([0, 'x'])],
    ['extra characters base64url ignores', `${raw([0, ID])}!!`],
    ['padding', `${raw([0, ID])}=`],
    ['three elements', raw([0, ID, 1])],
  ])('refuse %s with VALIDATION_FAILED naming the cursor', (_label, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } }),
    );
  });
});

describe('request values the service cannot represent', () => {
  it('finds the first number that is not finite, by JSON pointer', () => {
    expect(firstUnrepresentable({ limit: 5, nested: [{ a: 1 }, { b: Infinity }] })).toEqual({
      at: '/nested/1/b',
      problem: expect.stringContaining('finite'),
    });
    expect(firstUnrepresentable({ x: NaN })?.at).toBe('/x');
    expect(firstUnrepresentable(-Infinity)?.at).toBe('');
  });

  it('finds text with a lone surrogate, in values and in names, and accepts paired ones', () => {
    expect(firstUnrepresentable({ reason: 'stop \ud800' })?.at).toBe('/reason');
    expect(firstUnrepresentable({ reason: '\udc00' })?.at).toBe('/reason');
    expect(firstUnrepresentable({ ['a/\ud800']: 1 })?.at).toBe('/a~1\ud800');
    expect(firstUnrepresentable({ title: '𝄞 🎬 clouds', n: 0, ok: true, none: null })).toBeNull();
  });

  it('walks deep values without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(firstUnrepresentable(deep)).toBeNull();
  });
});

describe('store arguments', () => {
  it('pass finite numbers in range and refuse the rest with VALIDATION_FAILED naming the argument', () => {
    expect(checkedLimit(100)).toBe(100);
    for (const bad of [Infinity, -Infinity, NaN, 0, 1.5, 10_001])
      expect(() => checkedLimit(bad)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'limit' } }),
      );
    expect(() => checkedNumber('hours', -Infinity, { min: 0, max: 10 })).toThrow(/hours/);
  });
});
