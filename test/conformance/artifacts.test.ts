import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_CHUNK_SIZE, type ArtifactInfo, type ByteRange } from '../../src/artifacts/model.js';
import type { ArtifactStore } from '../../src/artifacts/store.js';
import type { ReelqueueError } from '../../src/errors.js';
import type { Lease } from '../../src/jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { expireLease, setFinishedHoursAgo } from '../support/db-fixtures.js';
import type { RunningJob } from '../support/job-factory.js';
import type { TestDatabase } from '../support/test-database.js';
import {
  expectCode,
  expectRejectsWith,
  rejectionOf,
  useConformanceDatabase,
} from '../support/conformance.js';

const MiB = ARTIFACT_CHUNK_SIZE;
/** Odd-sized pieces, so no piece boundary lines up with a chunk boundary. */
const PIECE = 64 * 1024 + 3;
/** The memory test's artifact size; lower it (ARTIFACT_MEMORY_TEST_MB=20) for a quicker run. */
const MEMORY_TEST_MB = Number(process.env.ARTIFACT_MEMORY_TEST_MB ?? 200);
const WRITE_RSS_GROWTH_LIMIT = 64 * MiB;
/**
 * Reads allocate more short-lived memory than writes on PostgreSQL: pg returns bytea as hex text
 * (a 2 MiB string per chunk) and grows its receive buffer per row. That garbage waits for the next
 * GC, so the peak is set by V8's GC cadence, not by the artifact's size (300 and 600 MB reads peak
 * alike, at about +90 MB).
 */
const READ_RSS_GROWTH_LIMIT = 128 * MiB;

async function* pieces(data: Buffer, size = PIECE): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

async function readAll(artifacts: ArtifactStore, id: string, range?: ByteRange): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of artifacts.read(id, range)) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface StoredRows {
  artifacts: number;
  chunks: number;
}

async function storedRows(t: TestDatabase): Promise<StoredRows> {
  const [row] = await t.sql<{ artifacts: number | string; chunks: number | string }>({
    sqlite:
      'SELECT (SELECT count(*) FROM artifacts) AS artifacts, (SELECT count(*) FROM artifact_chunks) AS chunks',
    postgres:
      'SELECT (SELECT count(*) FROM artifacts)::int AS artifacts, (SELECT count(*) FROM artifact_chunks)::int AS chunks',
  });
  return { artifacts: Number(row?.artifacts), chunks: Number(row?.chunks) };
}

async function chunkLengths(t: TestDatabase, artifactId: string): Promise<number[]> {
  const rows = await t.sql<{ bytes: number | string }>(
    {
      sqlite: 'SELECT length(data) AS bytes FROM artifact_chunks WHERE artifact_id = ? ORDER BY seq',
      postgres: 'SELECT octet_length(data) AS bytes FROM artifact_chunks WHERE artifact_id = ? ORDER BY seq',
    },
    [artifactId],
  );
  return rows.map((row) => Number(row.bytes));
}

async function artifactIdsOf(t: TestDatabase, jobId: string): Promise<string[]> {
  const rows = await t.sql<{ id: string }>(
    {
      sqlite: 'SELECT id FROM artifacts WHERE job_id = ?',
      postgres: 'SELECT id::text AS id FROM artifacts WHERE job_id = ?',
    },
    [jobId],
  );
  return rows.map((row) => row.id);
}

/** Worker A's lease lapses, the sweep re-queues the job, and worker B claims it: A's lease is stale. */
async function takeOver(t: TestDatabase, store: JobStore, running: RunningJob): Promise<Lease> {
  await expireLease(t, running.job.id);
  expect((await store.recoverExpiredLeases()).requeued).toEqual([running.job.id]);
  const [current] = await store.claim({
    workerId: 'worker-b',
    kinds: [running.job.kind],
    limit: 1,
    leaseSeconds: 300,
  });
  expect(current?.attempt).toBe(running.lease.attempt + 1);
  return { jobId: running.job.id, attempt: current!.attempt, workerId: 'worker-b' };
}

describe('artifacts: chunked storage with ranged reads', () => {
  const ctx = useConformanceDatabase();
  const artifacts = () => ctx().t.db.artifacts;

  const SIZE = 5 * MiB + 1;

  async function writeSample(data: Buffer): Promise<{ running: RunningJob; info: ArtifactInfo }> {
    const running = await ctx().jobs.running();
    const info = await artifacts().write({
      lease: running.lease,
      jobId: running.job.id,
      kind: 'video',
      contentType: 'video/mp4',
      source: pieces(data),
    });
    return { running, info };
  }

  it('streams 5 MiB + 1 byte in odd pieces into exact 1 MiB chunks, with its size and sha256', async () => {
    const { t } = ctx();
    const data = randomBytes(SIZE);
    const { running, info } = await writeSample(data);

    expect(info).toMatchObject({
      jobId: running.job.id,
      kind: 'video',
      contentType: 'video/mp4',
      size: SIZE,
      sha256: sha256(data),
      chunkSize: MiB,
      attempt: running.lease.attempt,
    });
    expect(await chunkLengths(t, info.id)).toEqual([MiB, MiB, MiB, MiB, MiB, 1]);
    expect(await artifacts().find(running.job.id, 'video')).toEqual(info);
    expect(await artifacts().get(info.id)).toEqual(info);
    expect(await artifacts().find(running.job.id, 'thumbnail')).toBeNull();

    const whole = await readAll(artifacts(), info.id);
    expect(whole.length).toBe(SIZE);
    expect(sha256(whole)).toBe(info.sha256);
    expect(whole.equals(data)).toBe(true);
  });

  it('reads exactly the bytes of ranges at chunk boundaries', async () => {
    const data = randomBytes(SIZE);
    const { info } = await writeSample(data);
    const ranges: { name: string; range: ByteRange }[] = [
      { name: 'first byte', range: { offset: 0, length: 1 } },
      { name: 'last byte', range: { offset: SIZE - 1, length: 1 } },
      { name: '1 MiB − 1 .. 1 MiB + 1', range: { offset: MiB - 1, length: 3 } },
      { name: 'the last chunk of a MiB', range: { offset: 4 * MiB, length: MiB } },
      { name: 'the last, partial chunk', range: { offset: 5 * MiB, length: 1 } },
      { name: 'a range spanning 3 chunks', range: { offset: MiB - 10, length: MiB + 20 } },
      { name: 'one whole chunk', range: { offset: 2 * MiB, length: MiB } },
      { name: 'from an offset to the end', range: { offset: 3 * MiB + 7 } },
      { name: 'empty, at the end', range: { offset: SIZE, length: 0 } },
    ];
    for (const { name, range } of ranges) {
      const offset = range.offset ?? 0;
      const expected = data.subarray(offset, range.length === undefined ? undefined : offset + range.length);
      const got = await readAll(artifacts(), info.id, range);
      expect({ name, length: got.length }).toEqual({ name, length: expected.length });
      expect(got.equals(expected), name).toBe(true);
    }
  });

  it('refuses ranges outside the content with RANGE_NOT_SATISFIABLE', async () => {
    const { info } = await writeSample(randomBytes(3 * MiB));
    for (const range of [
      { offset: 3 * MiB + 1 },
      { offset: 3 * MiB, length: 1 },
      { offset: 0, length: 3 * MiB + 1 },
      { offset: -1, length: 1 },
      { offset: 0, length: -1 },
      { offset: 0.5, length: 1 },
    ]) {
      expectCode(await rejectionOf(readAll(artifacts(), info.id, range)), 'RANGE_NOT_SATISFIABLE');
    }
  });

  it('does not read an artifact that does not exist', async () => {
    expectCode(
      await rejectionOf(readAll(artifacts(), '0190a5c8-0000-7000-8000-000000000000')),
      'ARTIFACT_NOT_FOUND',
    );
    expectCode(await rejectionOf(readAll(artifacts(), 'not-a-uuid')), 'ARTIFACT_NOT_FOUND');
    expect(await artifacts().get('not-a-uuid')).toBeNull();
    expect(await artifacts().find('not-a-uuid', 'video')).toBeNull();
  });

  it('never serves a partial artifact, and deletes it when its source fails midway', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const seen: { incomplete?: unknown; get?: unknown; find?: unknown } = {};
    const data = randomBytes(3 * MiB);
    async function* failing(): AsyncGenerator<Buffer> {
      yield* pieces(data.subarray(0, 2 * MiB + 5));
      // Two chunks are stored now, the artifact is not complete.
      const [id] = await artifactIdsOf(t, running.job.id);
      expect(await chunkLengths(t, id!)).toEqual([MiB, MiB]);
      seen.incomplete = await rejectionOf(readAll(artifacts(), id!));
      seen.get = await artifacts().get(id!);
      seen.find = await artifacts().find(running.job.id, 'video');
      throw new Error('the encoder crashed');
    }

    const error = await rejectionOf(
      artifacts().write({ lease: running.lease, kind: 'video', contentType: 'video/mp4', source: failing() }),
    );

    expect((error as Error).message).toBe('the encoder crashed');
    expectCode(seen.incomplete, 'ARTIFACT_INCOMPLETE');
    expect(seen.get).toBeNull();
    expect(seen.find).toBeNull();
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
  });

  it('a worker without the lease cannot start an artifact', async () => {
    const { t, store, jobs } = ctx();
    const running = await jobs.running();
    await takeOver(t, store, running);
    await expectRejectsWith(
      artifacts().write({
        lease: running.lease,
        kind: 'video',
        contentType: 'video/mp4',
        source: pieces(randomBytes(10)),
      }),
      'LEASE_LOST',
    );
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
  });

  it('a writer whose lease is taken over mid-upload is refused at its next chunk, and its chunks are removed', async () => {
    const { t, store, jobs } = ctx();
    const running = await jobs.running();
    const data = randomBytes(4 * MiB);
    let pulledAfterTakeover = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield* pieces(data.subarray(0, MiB + 1));
      await takeOver(t, store, running);
      for await (const piece of pieces(data.subarray(MiB + 1))) {
        pulledAfterTakeover += piece.length;
        yield piece;
      }
    }

    await expectRejectsWith(
      artifacts().write({ lease: running.lease, kind: 'video', contentType: 'video/mp4', source: source() }),
      'LEASE_LOST',
    );
    // It stopped at the first chunk boundary after the takeover instead of uploading the rest.
    expect(pulledAfterTakeover).toBeLessThan(MiB + PIECE);
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
  });

  it('a writer whose lease is taken over before it finishes cannot complete (LEASE_LOST), and its chunks are removed', async () => {
    const { t, store, jobs } = ctx();
    const running = await jobs.running();
    async function* source(): AsyncGenerator<Buffer> {
      // Exactly two chunks: both are stored before the source ends, so only the completion is left.
      yield* pieces(randomBytes(2 * MiB));
      expect((await storedRows(t)).chunks).toBe(2);
      await takeOver(t, store, running);
    }

    await expectRejectsWith(
      artifacts().write({ lease: running.lease, kind: 'video', contentType: 'video/mp4', source: source() }),
      'LEASE_LOST',
    );
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
    expect(await artifacts().find(running.job.id, 'video')).toBeNull();
  });

  it("a later attempt's artifact supersedes the earlier ones of the same kind", async () => {
    const { t, store, jobs } = ctx();
    const running = await jobs.running();
    const write = (lease: Lease, kind: string, data: Buffer | AsyncIterable<Buffer>) =>
      artifacts().write({
        lease,
        kind,
        contentType: 'application/octet-stream',
        source: Buffer.isBuffer(data) ? pieces(data) : data,
      });
    const first = await write(running.lease, 'video', randomBytes(2 * MiB + 3));
    const thumbnail = await write(running.lease, 'thumbnail', randomBytes(1000));
    // Attempt 1's worker is still uploading another video when it loses the job.
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let chunkStored!: () => void;
    const partial = new Promise<void>((resolve) => (chunkStored = resolve));
    async function* slow(): AsyncGenerator<Buffer> {
      yield* pieces(randomBytes(MiB + 5));
      chunkStored();
      await paused;
      yield randomBytes(10);
    }
    const staleWrite = rejectionOf(write(running.lease, 'video', slow()));
    await partial;
    const newLease = await takeOver(t, store, running);

    const data = randomBytes(MiB + 7);
    const second = await write(newLease, 'video', data);

    expect(second.attempt).toBe(first.attempt + 1);
    expect(await artifacts().find(running.job.id, 'video')).toEqual(second);
    expect(await artifacts().get(first.id)).toBeNull();
    expect(await chunkLengths(t, first.id)).toEqual([]);
    expect(await artifacts().find(running.job.id, 'thumbnail')).toEqual(thumbnail);
    expect((await readAll(artifacts(), second.id)).equals(data)).toBe(true);
    expect(await storedRows(t)).toEqual({ artifacts: 2, chunks: 3 });
    resume();
    expectCode(await staleWrite, 'LEASE_LOST');
    expect(await storedRows(t)).toEqual({ artifacts: 2, chunks: 3 });
  });

  it('a second artifact of the same kind in the same attempt replaces the first', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const write = (data: Buffer) =>
      artifacts().write({
        lease: running.lease,
        kind: 'thumbnail',
        contentType: 'image/png',
        source: pieces(data),
      });
    const first = await write(randomBytes(100));
    const second = await write(randomBytes(200));
    expect(await artifacts().find(running.job.id, 'thumbnail')).toEqual(second);
    expect(await artifacts().get(first.id)).toBeNull();
    expect(await storedRows(t)).toEqual({ artifacts: 1, chunks: 1 });
  });

  it('an aborted write stops and deletes what it wrote', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const controller = new AbortController();
    const data = randomBytes(4 * MiB);
    async function* source(): AsyncGenerator<Buffer> {
      yield* pieces(data.subarray(0, 2 * MiB));
      controller.abort(new Error('cancelled by the user'));
      yield* pieces(data.subarray(2 * MiB));
    }
    const error = await rejectionOf(
      artifacts().write({
        lease: running.lease,
        kind: 'video',
        contentType: 'video/mp4',
        source: source(),
        signal: controller.signal,
      }),
    );
    expect((error as Error).message).toBe('cancelled by the user');
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
  });

  it('writes an empty artifact', async () => {
    const { jobs } = ctx();
    const running = await jobs.running();
    const info = await artifacts().write({
      lease: running.lease,
      kind: 'video',
      contentType: 'video/mp4',
      source: pieces(Buffer.alloc(0)),
    });
    expect(info).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await readAll(artifacts(), info.id)).toEqual(Buffer.alloc(0));
  });

  it('refuses a bad kind, a bad content type, or a job id that is not the lease’s', async () => {
    const { jobs } = ctx();
    const running = await jobs.running();
    const base = { lease: running.lease, kind: 'video', contentType: 'video/mp4' };
    for (const bad of [
      { ...base, kind: 'Video!' },
      { ...base, contentType: 'video/mp4\r\nX-Evil: 1' },
      { ...base, jobId: '0190a5c8-0000-7000-8000-000000000000' },
    ]) {
      await expectRejectsWith(
        artifacts().write({ ...bad, source: pieces(randomBytes(10)) }),
        'VALIDATION_FAILED',
      );
    }
  });

  it('writeFile streams a file from disk', async () => {
    const { jobs } = ctx();
    const running = await jobs.running();
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-artifact-'));
    try {
      const file = path.join(dir, 'video.mp4');
      const data = randomBytes(3 * MiB + 5);
      writeFileSync(file, data);
      const info = await artifacts().writeFile(file, {
        lease: running.lease,
        kind: 'video',
        contentType: 'video/mp4',
      });
      expect(info).toMatchObject({ size: data.length, sha256: sha256(data) });
      expect((await readAll(artifacts(), info.id)).equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeFile of a missing file fails with RENDER_FILE_MISSING, names no path, and stores nothing', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-artifact-'));
    try {
      const error = await rejectionOf(
        artifacts().writeFile(path.join(dir, 'presentation.mp4'), {
          lease: running.lease,
          kind: 'video',
          contentType: 'video/mp4',
        }),
      );
      expectCode(error, 'RENDER_FILE_MISSING');
      expect((error as Error).message).toContain('presentation.mp4');
      expect(JSON.stringify([(error as Error).message, (error as ReelqueueError).details])).not.toContain(
        dir,
      );
      expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeFile of a folder fails with RENDER_FILE_UNREADABLE and stores nothing', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-artifact-'));
    try {
      const error = await rejectionOf(
        artifacts().writeFile(dir, { lease: running.lease, kind: 'thumbnail', contentType: 'image/png' }),
      );
      expectCode(error, 'RENDER_FILE_UNREADABLE');
      expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stream source that fails before the write reads it rejects the write (it never goes unhandled)', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    // The stream fails to open while the store is still creating the artifact row.
    const source = createReadStream(path.join(tmpdir(), `reelqueue-no-such-file-${process.pid}`));
    const error = await rejectionOf(
      artifacts().write({ lease: running.lease, kind: 'video', contentType: 'video/mp4', source }),
    );
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(await storedRows(t)).toEqual({ artifacts: 0, chunks: 0 });
  });

  it('deleting the job (cleanup) removes its artifacts and their chunks', async () => {
    const { t, store } = ctx();
    const { running, info } = await writeSample(randomBytes(2 * MiB + 1));
    const other = await writeSample(randomBytes(10));
    await store.complete(running.lease, { ok: true });
    await store.complete(other.running.lease, { ok: true });
    await setFinishedHoursAgo(t, running.job.id, 48);

    expect(await store.cleanup(24, ALL_JOBS)).toBe(1);

    expect(await artifacts().get(info.id)).toBeNull();
    expect(await chunkLengths(t, info.id)).toEqual([]);
    expect(await storedRows(t)).toEqual({ artifacts: 1, chunks: 1 });
    expect(await artifacts().get(other.info.id)).toEqual(other.info);
  });

  it('deleteForJob removes every artifact of the job, complete or not', async () => {
    const { t, jobs } = ctx();
    const running = await jobs.running();
    const write = (kind: string, data: Buffer) =>
      artifacts().write({
        lease: running.lease,
        kind,
        contentType: 'application/octet-stream',
        source: pieces(data),
      });
    await write('video', randomBytes(3 * MiB));
    await write('thumbnail', randomBytes(100));
    const kept = await writeSample(randomBytes(10));

    expect(await artifacts().deleteForJob(running.job.id)).toBe(2);

    expect(await artifacts().find(running.job.id, 'video')).toBeNull();
    expect(await storedRows(t)).toEqual({ artifacts: 1, chunks: 1 });
    expect(await artifacts().get(kept.info.id)).toEqual(kept.info);
    expect(await artifacts().deleteForJob(running.job.id)).toBe(0);
  });

  it(`writes and reads a ${MEMORY_TEST_MB} MB artifact with memory bounded`, async () => {
    const { jobs } = ctx();
    const running = await jobs.running({ leaseSeconds: 600 });
    const total = MEMORY_TEST_MB * 1_000_000;
    // Warm up (prepared statements, pool connections) so the baseline is fair.
    await writeSample(randomBytes(2 * MiB + 1));

    const expected = createHash('sha256');
    let peakRss = 0;
    const sample = () => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    };
    async function* generated(): AsyncGenerator<Buffer> {
      // One buffer, refilled: the store copies each piece before it asks for the next one.
      const piece = Buffer.allocUnsafe(PIECE);
      for (let sent = 0; sent < total; sent += PIECE) {
        const part = piece.subarray(0, Math.min(PIECE, total - sent));
        randomFillSync(part);
        expected.update(part);
        sample();
        yield part;
      }
    }

    const baseline = process.memoryUsage.rss();
    let started = performance.now();
    const info = await artifacts().write({
      lease: running.lease,
      kind: 'video',
      contentType: 'video/mp4',
      source: generated(),
    });
    const writeSeconds = (performance.now() - started) / 1000;
    const writeGrowth = peakRss - baseline;
    expect(info.size).toBe(total);
    expect(info.sha256).toBe(expected.digest('hex'));

    peakRss = 0;
    const readBaseline = process.memoryUsage.rss();
    started = performance.now();
    const actual = createHash('sha256');
    let read = 0;
    for await (const part of artifacts().read(info.id)) {
      actual.update(part);
      read += part.length;
      sample();
    }
    const readSeconds = (performance.now() - started) / 1000;
    const readGrowth = peakRss - readBaseline;
    expect(read).toBe(total);
    expect(actual.digest('hex')).toBe(info.sha256);

    const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1);
    console.log(
      `[artifacts ${ctx().t.dialect}] ${MEMORY_TEST_MB} MB: write ${writeSeconds.toFixed(2)} s ` +
        `(${(MEMORY_TEST_MB / writeSeconds).toFixed(0)} MB/s), RSS ${mb(baseline)} → peak +${mb(writeGrowth)} MB; ` +
        `read ${readSeconds.toFixed(2)} s (${(MEMORY_TEST_MB / readSeconds).toFixed(0)} MB/s), ` +
        `RSS ${mb(readBaseline)} → peak +${mb(readGrowth)} MB`,
    );
    expect(writeGrowth).toBeLessThan(WRITE_RSS_GROWTH_LIMIT);
    expect(readGrowth).toBeLessThan(READ_RSS_GROWTH_LIMIT);
  }, 120_000);
});
