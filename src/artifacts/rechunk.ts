/** Re-cuts a stream of pieces of any size into pieces of exactly `chunkSize` bytes. */

/** What a write can read from: a Node stream or any async iterable of bytes. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

/**
 * Yields `chunkSize`-byte chunks (the last one shorter, none when the source is empty) as the source
 * streams, holding at most one chunk. The yielded buffer is reused: finish with a chunk before
 * asking for the next one (copy it to keep it). Stopping early closes the source.
 */
export async function* rechunk(
  source: ByteSource,
  chunkSize: number,
): AsyncGenerator<Buffer, void, undefined> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`bad chunk size ${chunkSize}`);
  const buffer = Buffer.allocUnsafe(chunkSize);
  let filled = 0;
  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let read = 0;
    while (read < bytes.length) {
      const take = Math.min(chunkSize - filled, bytes.length - read);
      buffer.set(bytes.subarray(read, read + take), filled);
      filled += take;
      read += take;
      if (filled === chunkSize) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
