/**
 * The dialect-free part of the artifact store against an in-memory `ArtifactStorage`: which pieces
 * a read fetches, and how a write cuts, fences and cleans up. Both databases run the same store in
 * test/conformance/artifacts.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkedArtifactStore } from '../../src/artifacts/chunked-artifact-store.js';
import type { ByteRange } from '../../src/artifacts/model.js';
import type { ArtifactRecord, ArtifactStorage } from '../../src/artifacts/storage.js';
import { ReelqueueError } from '../../src/errors.js';
import type { Lease } from '../../src/jobs/model.js';

const JOB = '0190a5c8-0000-7000-8000-000000000001';
const LEASE: Lease = { jobId: JOB, attempt: 1, workerId: 'worker-a' };
const CHUNK = 100;

class MemoryStorage implements ArtifactStorage {
  readonly records = new Map<string, ArtifactRecord>();
  readonly data = new Map<string, Map<number, Buffer>>();
  /** Each piece fetched: [seq, offset, length]. */
  readonly fetches: [number, number, number][] = [];
  leaseHeld = true;

  constructor(readonly pieceBytes: number) {}

  async create(record: { id: string; kind: string; contentType: string; chunkSize: number }) {
    if (!this.leaseHeld) return false;
    this.records.set(record.id, {
      ...record,
      jobId: LEASE.jobId,
      size: null,
      sha256: null,
      attempt: LEASE.attempt,
      complete: false,
      createdAt: new Date(),
      completedAt: null,
    });
    this.data.set(record.id, new Map());
    return true;
  }
  async putChunk(id: string, seq: number, data: Buffer) {
    if (!this.leaseHeld) return false;
    this.data.get(id)?.set(seq, Buffer.from(data));
    return true;
  }
  async complete(id: string, _lease: Lease, totals: { size: number; sha256: string }) {
    const row = this.records.get(id);
    if (!this.leaseHeld || !row) return null;
    Object.assign(row, totals, { complete: true, completedAt: new Date() });
    return { ...row };
  }
  async supersededBy(done: ArtifactRecord) {
    return [...this.records.values()]
      .filter((r) => r.kind === done.kind && r.id !== done.id && (r.complete || r.attempt < done.attempt))
      .map((r) => r.id);
  }
  async record(id: string) {
    const row = this.records.get(id);
    return row ? { ...row } : null;
  }
  async newestComplete(_jobId: string, kind: string) {
    const rows = [...this.records.values()].filter((r) => r.kind === kind && r.complete);
    return rows.at(-1) ?? null;
  }
  /** A piece comes back in two parts when it can (as PostgreSQL's come in the socket's reads). */
  async chunkPiece(id: string, seq: number, offset: number, length: number) {
    this.fetches.push([seq, offset, length]);
    const piece = this.data
      .get(id)
      ?.get(seq)
      ?.subarray(offset, offset + length);
    if (!piece) return null;
    const half = Math.floor(piece.length / 2);
    return half > 0 ? [piece.subarray(0, half), piece.subarray(half)] : [piece];
  }
  async deleteChunks(id: string, limit: number) {
    const chunks = this.data.get(id);
    if (!chunks) return 0;
    const doomed = [...chunks.keys()].slice(0, limit);
    for (const seq of doomed) chunks.delete(seq);
    return doomed.length;
  }
  async deleteRecord(id: string) {
    this.records.delete(id);
    this.data.delete(id);
  }
  async idsForJob() {
    return [...this.records.keys()];
  }
}

async function* pieces(data: Buffer, size = 37): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

async function readAll(store: ChunkedArtifactStore, id: string, range?: ByteRange): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of store.read(id, range)) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

function setup(pieceBytes = CHUNK) {
  const storage = new MemoryStorage(pieceBytes);
  const store = new ChunkedArtifactStore(storage, { chunkSize: CHUNK });
  const write = (data: Buffer) =>
    store.write({ lease: LEASE, kind: 'video', contentType: 'video/mp4', source: pieces(data) });
  return { storage, store, write };
}

describe('chunked artifact store', () => {
  it('stores exact chunks with the size and sha256 of the content', async () => {
    const { storage, write } = setup();
    const data = randomBytes(10 * CHUNK + 1);
    const info = await write(data);
    expect(info).toMatchObject({
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    const lengths = [...storage.data.get(info.id)!.values()].map((chunk) => chunk.length);
    expect(lengths).toEqual([...Array(10).fill(CHUNK), 1]);
  });

  it('fetches only the parts of chunks a range needs, one piece per query', async () => {
    const { storage, store, write } = setup();
    const data = randomBytes(10 * CHUNK + 1);
    const info = await write(data);
    const whole = (first: number, last: number): [number, number, number][] =>
      Array.from({ length: last - first + 1 }, (_, i): [number, number, number] => [first + i, 0, CHUNK]);
    const cases: [ByteRange, [number, number, number][]][] = [
      [{ offset: 0, length: 1 }, [[0, 0, 1]]],
      [{ offset: data.length - 1, length: 1 }, [[10, 0, 1]]],
      [
        { offset: CHUNK - 1, length: 3 },
        [
          [0, CHUNK - 1, 1],
          [1, 0, 2],
        ],
      ],
      [{ offset: 3 * CHUNK, length: CHUNK }, [[3, 0, CHUNK]]],
      [{ offset: CHUNK - 10, length: CHUNK + 20 }, [[0, CHUNK - 10, 10], ...whole(1, 1), [2, 0, 10]]],
      [{}, [...whole(0, 9), [10, 0, 1]]],
      [{ offset: 5, length: 0 }, []],
    ];
    for (const [range, fetches] of cases) {
      storage.fetches.length = 0;
      const offset = range.offset ?? 0;
      const expected = data.subarray(offset, range.length === undefined ? undefined : offset + range.length);
      expect((await readAll(store, info.id, range)).equals(expected)).toBe(true);
      expect(storage.fetches).toEqual(fetches);
    }
  });

  it('cuts chunks into pieces of at most pieceBytes', async () => {
    const { storage, store, write } = setup(40);
    const data = randomBytes(2 * CHUNK + 30);
    const info = await write(data);
    expect((await readAll(store, info.id)).equals(data)).toBe(true);
    expect(storage.fetches).toEqual([
      [0, 0, 40],
      [0, 40, 40],
      [0, 80, 20],
      [1, 0, 40],
      [1, 40, 40],
      [1, 80, 20],
      [2, 0, 30],
    ]);
    storage.fetches.length = 0;
    const range = { offset: 70, length: 50 };
    expect((await readAll(store, info.id, range)).equals(data.subarray(70, 120))).toBe(true);
    expect(storage.fetches).toEqual([
      [0, 70, 30],
      [1, 0, 20],
    ]);
  });

  it('yields each part of a piece, in order, without joining them', async () => {
    const { store, write } = setup(40);
    const data = randomBytes(CHUNK + 30);
    const info = await write(data);
    const sizes: number[] = [];
    for await (const part of store.read(info.id)) sizes.push(part.length);
    expect(sizes).toEqual([20, 20, 20, 20, 10, 10, 15, 15]);
  });

  it('fails a read whose chunk vanished with ARTIFACT_NOT_FOUND', async () => {
    const { storage, store, write } = setup();
    const info = await write(randomBytes(5 * CHUNK));
    storage.data.get(info.id)!.delete(2);
    const error = await readAll(store, info.id).catch((e: unknown) => e);
    expect((error as ReelqueueError).code).toBe('ARTIFACT_NOT_FOUND');
  });

  it('refuses to read an incomplete artifact', async () => {
    const { storage, store, write } = setup();
    const info = await write(randomBytes(5));
    storage.records.get(info.id)!.complete = false;
    const error = await readAll(store, info.id).catch((e: unknown) => e);
    expect((error as ReelqueueError).code).toBe('ARTIFACT_INCOMPLETE');
    expect(await store.get(info.id)).toBeNull();
  });

  it('throws LEASE_LOST and deletes what it wrote when the lease goes before completion', async () => {
    const { storage, store } = setup();
    async function* source(): AsyncGenerator<Buffer> {
      yield randomBytes(3 * CHUNK);
      storage.leaseHeld = false;
    }
    const error = await store
      .write({ lease: LEASE, kind: 'video', contentType: 'video/mp4', source: source() })
      .catch((e: unknown) => e);
    expect((error as ReelqueueError).code).toBe('LEASE_LOST');
    expect(storage.records.size).toBe(0);
    expect(storage.data.size).toBe(0);
  });

  it('deletes the artifacts a new one supersedes, chunk batches first', async () => {
    const { storage, write } = setup();
    const first = await write(randomBytes(40 * CHUNK));
    const second = await write(randomBytes(CHUNK));
    expect([...storage.records.keys()]).toEqual([second.id]);
    expect(storage.data.has(first.id)).toBe(false);
  });
});
