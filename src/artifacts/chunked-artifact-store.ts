/**
 * The artifact store on any database: streams uploads into 1 MiB chunks with a running sha256,
 * completes them under the lease fence, and serves ranges chunk by chunk. The SQL is the dialect's
 * `ArtifactStorage`.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { ReelqueueError } from '../errors.js';
import { isJobId } from '../jobs/model.js';
import { leaseLost } from '../jobs/store-errors.js';
import { artifactIncomplete, artifactNotFound, isFileSystemError, sourceFileError } from './errors.js';
import {
  ARTIFACT_CHUNK_SIZE,
  checkArtifactKind,
  checkContentType,
  isArtifactId,
  type ArtifactInfo,
  type ByteRange,
} from './model.js';
import { chunkLength, chunkSpan, resolveRange, sliceOfChunk } from './range.js';
import { rechunk } from './rechunk.js';
import type { ArtifactRecord, ArtifactStorage } from './storage.js';
import type { ArtifactStore, WriteArtifact, WriteArtifactOptions } from './store.js';

/** Chunks deleted per transaction, so deleting a large artifact never holds a long write lock. */
const CHUNKS_PER_DELETE = 16;

export class ChunkedArtifactStore implements ArtifactStore {
  readonly #storage: ArtifactStorage;
  readonly #chunkSize: number;

  constructor(storage: ArtifactStorage, options: { chunkSize?: number } = {}) {
    this.#storage = storage;
    this.#chunkSize = options.chunkSize ?? ARTIFACT_CHUNK_SIZE;
  }

  async write(request: WriteArtifact): Promise<ArtifactInfo> {
    const { source } = request;
    if (!(source instanceof Readable)) return this.#write(request);
    // A stream can fail (a file that cannot be opened) while the first database call is awaited,
    // before anything iterates it: with no listener, its 'error' would end the whole process. The
    // listener only keeps it handled; iterating the errored stream still throws its error.
    source.on('error', ignoreHere);
    try {
      return await this.#write(request);
    } finally {
      // Closes the file of a source the write never read to the end (refused, failed, aborted).
      source.destroy();
    }
  }

  async #write(request: WriteArtifact): Promise<ArtifactInfo> {
    const { lease, signal } = request;
    checkWriteOptions(request);
    signal?.throwIfAborted();
    const id = uuidv7();
    const created = await this.#storage.create(
      { id, kind: request.kind, contentType: request.contentType, chunkSize: this.#chunkSize },
      lease,
    );
    if (!created) throw leaseLost(lease);

    let completed: ArtifactRecord;
    try {
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      for await (const chunk of rechunk(request.source, this.#chunkSize)) {
        signal?.throwIfAborted();
        hash.update(chunk);
        size += chunk.length;
        if (!(await this.#storage.putChunk(id, seq, chunk, lease))) throw leaseLost(lease);
        seq += 1;
        // SQLite statements and an in-memory source never leave the event loop: let timers
        // (heartbeats) run between chunks.
        await nextTurn();
      }
      signal?.throwIfAborted();
      const row = await this.#storage.complete(id, lease, { size, sha256: hash.digest('hex') });
      if (!row) {
        throw (await this.#storage.record(id))
          ? leaseLost(lease)
          : artifactNotFound(id, 'deleted while it was being written');
      }
      completed = row;
    } catch (error) {
      // The caller needs the original error; a partial artifact left behind is unreadable anyway and
      // goes when its job is deleted or a later attempt's artifact of the same kind completes.
      await this.#discard(id).catch(() => undefined);
      throw error;
    }
    for (const superseded of await this.#storage.supersededBy(completed)) await this.#discard(superseded);
    return infoFrom(completed);
  }

  /**
   * Opens the file before anything else, so that a missing or unreadable file fails the write with
   * RENDER_FILE_MISSING / RENDER_FILE_UNREADABLE before a row is created; a read error later on gets
   * the same codes.
   */
  async writeFile(path: string, options: WriteArtifactOptions): Promise<ArtifactInfo> {
    checkWriteOptions(options);
    let file;
    try {
      file = await open(path, 'r');
    } catch (error) {
      throw sourceFileError(path, options.kind, error);
    }
    const source = file.createReadStream({ highWaterMark: ARTIFACT_CHUNK_SIZE });
    try {
      return await this.write({ ...options, source });
    } catch (error) {
      throw isFileSystemError(error) ? sourceFileError(path, options.kind, error) : error;
    } finally {
      // The stream closes the file when it ends or is destroyed; this covers a stream never read.
      await file.close().catch(() => undefined);
    }
  }

  async find(jobId: string, kind: string): Promise<ArtifactInfo | null> {
    if (!isJobId(jobId)) return null;
    const row = await this.#storage.newestComplete(jobId, kind);
    return row ? infoFrom(row) : null;
  }

  async get(artifactId: string): Promise<ArtifactInfo | null> {
    if (!isArtifactId(artifactId)) return null;
    const row = await this.#storage.record(artifactId);
    return row?.complete ? infoFrom(row) : null;
  }

  read(artifactId: string, range: ByteRange = {}): AsyncIterable<Buffer> {
    return this.#read(artifactId, range);
  }

  /**
   * One piece (at most `pieceBytes`) per query, yielded as the parts the storage returned it in: a
   * reader holds a single piece besides what its socket buffers, so many clients streaming at once
   * stay within a few tens of MB. Its connection (PostgreSQL) is back in the pool before the piece
   * is yielded, so a client that stops reading, or hangs up, holds none.
   */
  async *#read(artifactId: string, request: ByteRange): AsyncGenerator<Buffer, void, undefined> {
    const row = isArtifactId(artifactId) ? await this.#storage.record(artifactId) : null;
    if (!row) throw artifactNotFound(artifactId);
    if (!row.complete || row.size === null) throw artifactIncomplete(artifactId);
    const { size, chunkSize } = row;
    const range = resolveRange(size, request);
    if (range.length === 0) return;
    const { first, last } = chunkSpan(range, chunkSize);
    const { pieceBytes } = this.#storage;
    for (let seq = first; seq <= last; seq++) {
      const { start, end } = sliceOfChunk(seq, range, chunkSize, chunkLength(seq, size, chunkSize));
      for (let offset = start; offset < end; offset += pieceBytes) {
        if (seq > first || offset > start) await nextTurn();
        const length = Math.min(pieceBytes, end - offset);
        const piece = await this.#storage.chunkPiece(artifactId, seq, offset, length);
        if (piece?.reduce((sum, part) => sum + part.length, 0) !== length) {
          throw artifactNotFound(artifactId, `chunk ${seq} is missing (deleted while being read?)`);
        }
        yield* piece;
      }
    }
  }

  async delete(artifactId: string): Promise<void> {
    await this.#discard(artifactId);
  }

  async deleteForJob(jobId: string): Promise<number> {
    if (!isJobId(jobId)) return 0;
    const ids = await this.#storage.idsForJob(jobId);
    for (const id of ids) await this.#discard(id);
    return ids.length;
  }

  /** Deletes an artifact a few chunks per transaction, then its row. */
  async #discard(artifactId: string): Promise<void> {
    while ((await this.#storage.deleteChunks(artifactId, CHUNKS_PER_DELETE)) > 0) {
      // keep going: each batch is its own short transaction
    }
    await this.#storage.deleteRecord(artifactId);
  }
}

/** See `write`: the error reaches the caller through the stream's iterator instead. */
function ignoreHere(): void {
  // handled by whoever iterates the stream
}

function checkWriteOptions(request: WriteArtifactOptions): void {
  checkArtifactKind(request.kind);
  checkContentType(request.contentType);
  if (request.jobId !== undefined && request.jobId !== request.lease.jobId) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `Artifact job ${request.jobId} is not the job of the lease (${request.lease.jobId})`,
      { field: 'jobId' },
    );
  }
}

function infoFrom(row: ArtifactRecord): ArtifactInfo {
  if (!row.complete || row.size === null || row.sha256 === null || row.completedAt === null) {
    throw new Error(`artifact ${row.id} is not complete`);
  }
  return {
    id: row.id,
    jobId: row.jobId,
    kind: row.kind,
    contentType: row.contentType,
    size: row.size,
    sha256: row.sha256,
    chunkSize: row.chunkSize,
    attempt: row.attempt,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}
