import { describe, expect, it } from 'vitest';
import { chunkLength, chunkSpan, resolveRange, sliceOfChunk } from '../../src/artifacts/range.js';
import { ReelqueueError } from '../../src/errors.js';

const MiB = 1024 * 1024;
const SIZE = 5 * MiB + 1;

function refusal(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof ReelqueueError ? error.code : String(error);
  }
  return undefined;
}

describe('artifact ranges', () => {
  it('means the whole content when no range is given, and the rest when only an offset is', () => {
    expect(resolveRange(SIZE)).toEqual({ offset: 0, length: SIZE });
    expect(resolveRange(SIZE, { offset: 10 })).toEqual({ offset: 10, length: SIZE - 10 });
    expect(resolveRange(0)).toEqual({ offset: 0, length: 0 });
  });

  it('allows an empty range up to the end and nothing past it', () => {
    expect(resolveRange(SIZE, { offset: SIZE, length: 0 })).toEqual({ offset: SIZE, length: 0 });
    expect(resolveRange(SIZE, { offset: SIZE })).toEqual({ offset: SIZE, length: 0 });
    expect(refusal(() => resolveRange(SIZE, { offset: SIZE + 1 }))).toBe('RANGE_NOT_SATISFIABLE');
    expect(refusal(() => resolveRange(SIZE, { offset: SIZE - 1, length: 2 }))).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('refuses negative, fractional and unsafe numbers', () => {
    for (const range of [
      { offset: -1 },
      { length: -1 },
      { offset: 1.5, length: 1 },
      { offset: 0, length: Number.NaN },
      { offset: Number.MAX_SAFE_INTEGER + 1 },
    ]) {
      expect(refusal(() => resolveRange(SIZE, range))).toBe('RANGE_NOT_SATISFIABLE');
    }
  });

  it('names only the chunks a range touches', () => {
    const span = (offset: number, length: number) => chunkSpan({ offset, length }, MiB);
    expect(span(0, 1)).toEqual({ first: 0, last: 0 });
    expect(span(MiB - 1, 1)).toEqual({ first: 0, last: 0 });
    expect(span(MiB - 1, 2)).toEqual({ first: 0, last: 1 });
    expect(span(MiB, MiB)).toEqual({ first: 1, last: 1 });
    expect(span(MiB - 10, MiB + 20)).toEqual({ first: 0, last: 2 });
    expect(span(MiB - 10, 2 * MiB + 20)).toEqual({ first: 0, last: 3 });
    expect(span(SIZE - 1, 1)).toEqual({ first: 5, last: 5 });
  });

  it('knows the length of every chunk, the last one short', () => {
    expect(chunkLength(0, SIZE, MiB)).toBe(MiB);
    expect(chunkLength(4, SIZE, MiB)).toBe(MiB);
    expect(chunkLength(5, SIZE, MiB)).toBe(1);
    expect(chunkLength(6, SIZE, MiB)).toBe(0);
  });

  it('cuts each chunk to the part inside the range', () => {
    const range = { offset: MiB - 1, length: MiB + 2 };
    expect(sliceOfChunk(0, range, MiB, MiB)).toEqual({ start: MiB - 1, end: MiB });
    expect(sliceOfChunk(1, range, MiB, MiB)).toEqual({ start: 0, end: MiB });
    expect(sliceOfChunk(2, range, MiB, MiB)).toEqual({ start: 0, end: 1 });
    expect(sliceOfChunk(5, { offset: 0, length: SIZE }, MiB, 1)).toEqual({ start: 0, end: 1 });
  });
});
