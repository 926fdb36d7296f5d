import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rechunk, type ByteSource } from '../../src/artifacts/rechunk.js';

async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

/** Copies every chunk: rechunk reuses its buffer. */
async function collect(source: ByteSource, chunkSize: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of rechunk(source, chunkSize)) chunks.push(Buffer.from(chunk));
  return chunks;
}

describe('rechunk', () => {
  it('cuts odd-sized pieces into exact chunks, the last one shorter', async () => {
    const data = randomBytes(5 * 1000 + 1);
    const chunks = await collect(pieces(data, 67), 1000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 1000, 1000, 1000, 1]);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('splits a piece larger than several chunks', async () => {
    const data = randomBytes(3500);
    const chunks = await collect(pieces(data, 3500), 1000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 1000, 500]);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('yields no chunk for an empty source, and no empty last chunk for an exact multiple', async () => {
    expect(await collect(pieces(Buffer.alloc(0), 10), 1000)).toEqual([]);
    expect((await collect(pieces(randomBytes(2000), 333), 1000)).map((c) => c.length)).toEqual([1000, 1000]);
  });

  it('reads a Node stream, strings included', async () => {
    const chunks = await collect(Readable.from(['ab', Buffer.from('cde'), 'f']), 4);
    expect(chunks.map(String)).toEqual(['abcd', 'ef']);
  });

  it('holds one chunk at a time: the source is read only as chunks are taken', async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        pulled += 1;
        yield Buffer.alloc(100);
      }
    }
    const iterator = rechunk(counted(), 1000)[Symbol.asyncIterator]();
    await iterator.next();
    expect(pulled).toBe(10);
    await iterator.return(undefined);
    expect(pulled).toBe(10);
  });

  it('closes the source when the consumer stops early', async () => {
    const stream = Readable.from(pieces(randomBytes(10_000), 100));
    for await (const _chunk of rechunk(stream, 1000)) break;
    expect(stream.destroyed).toBe(true);
  });
});
