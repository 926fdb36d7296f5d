/**
 * The artifact tables on PostgreSQL. Every call is one statement on a pooled connection (its own
 * transaction): no transaction spans an upload or a read.
 */
import { to as copyTo } from 'pg-copy-streams';
import type { ArtifactRecord, ArtifactStorage, NewArtifactRecord } from '../../artifacts/storage.js';
import type { Lease } from '../../jobs/model.js';
import { artifactFromPg, type PgArtifactRow } from './artifact-row.js';
import { singleFieldOfBinaryCopy } from './binary-copy.js';
import { noteIfConnectionLost, type PgPool } from './pool.js';
import { artifactsSql, chunkPieceCopy } from './sql/artifacts-sql.js';

export class PostgresArtifactStorage implements ArtifactStorage {
  /**
   * A piece is read with a binary COPY (`chunkPieceCopy`), so its bytes never become a string. As
   * text (the driver reads query results as text only: base64, and before that hex), 20 clients
   * streaming a 500 MB video (`npm run bench -- --only streaming`) made the server grow by 130–160
   * MB in 2 to 6 of every 10 runs, the rest 35–40 MB: once the strings in flight outlived a
   * scavenge, nearly all of them were promoted and old space filled with them faster than it was
   * collected (`--trace-gc-nvp`: 99 % of each scavenge's survivors promoted, 6–9 MB each time).
   * The piece comes back as the socket's Buffers, never joined into one. 128 KiB, not the 60 KiB it
   * was: each COPY is a statement parsed, planned and answered, and per byte streamed the API
   * process and PostgreSQL spent about 25 % less CPU with 128 KiB pieces, 40 % less with 256 KiB
   * (`bench/tools/stream-cost.ts`); but 256 KiB pieces, 20 of them in flight, grew the server by
   * 4–6 MB more than 60 KiB ones, and 128 KiB by none. A whole 1 MiB chunk per COPY cost
   * PostgreSQL 3–5 times more CPU per byte than 256 KiB pieces.
   */
  readonly pieceBytes = 128 * 1024;
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async #rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.#pool.query({ text: sql, values: params })).rows as T[];
  }

  async #count(sql: string, params: unknown[]): Promise<number> {
    return (await this.#pool.query({ text: sql, values: params })).rowCount ?? 0;
  }

  async create(record: NewArtifactRecord, lease: Lease): Promise<boolean> {
    const inserted = await this.#count(artifactsSql.create, [
      record.id,
      lease.jobId,
      lease.attempt,
      lease.workerId,
      record.kind,
      record.contentType,
      record.chunkSize,
    ]);
    return inserted === 1;
  }

  async putChunk(artifactId: string, seq: number, data: Buffer, lease: Lease): Promise<boolean> {
    const inserted = await this.#count(artifactsSql.putChunk, [
      artifactId,
      seq,
      data,
      lease.jobId,
      lease.attempt,
      lease.workerId,
    ]);
    return inserted === 1;
  }

  async complete(
    artifactId: string,
    lease: Lease,
    totals: { size: number; sha256: string },
  ): Promise<ArtifactRecord | null> {
    const [row] = await this.#rows<PgArtifactRow>(artifactsSql.complete, [
      artifactId,
      lease.jobId,
      lease.attempt,
      lease.workerId,
      totals.size,
      totals.sha256,
    ]);
    return row ? artifactFromPg(row) : null;
  }

  async supersededBy(completed: ArtifactRecord): Promise<string[]> {
    const rows = await this.#rows<{ id: string }>(artifactsSql.supersededBy, [
      completed.jobId,
      completed.kind,
      completed.id,
      completed.attempt,
    ]);
    return rows.map((row) => row.id);
  }

  async record(artifactId: string): Promise<ArtifactRecord | null> {
    const [row] = await this.#rows<PgArtifactRow>(artifactsSql.selectById, [artifactId]);
    return row ? artifactFromPg(row) : null;
  }

  async newestComplete(jobId: string, kind: string): Promise<ArtifactRecord | null> {
    const [row] = await this.#rows<PgArtifactRow>(artifactsSql.newestComplete, [jobId, kind]);
    return row ? artifactFromPg(row) : null;
  }

  async chunkPiece(
    artifactId: string,
    seq: number,
    offset: number,
    length: number,
  ): Promise<Buffer[] | null> {
    const copy = copyTo(chunkPieceCopy(artifactId, seq, offset, length));
    const client = await this.#pool.connect();
    const parts: Buffer[] = [];
    try {
      for await (const part of client.query(copy)) parts.push(part as Buffer);
    } catch (error) {
      // A COPY that failed half-way may leave the connection mid-protocol: the pool drops it.
      noteIfConnectionLost(client, error);
      client.release(true);
      throw error;
    }
    client.release();
    return singleFieldOfBinaryCopy(parts);
  }

  deleteChunks(artifactId: string, limit: number): Promise<number> {
    return this.#count(artifactsSql.deleteChunks, [artifactId, limit]);
  }

  async deleteRecord(artifactId: string): Promise<void> {
    await this.#pool.query({ text: artifactsSql.deleteRecord, values: [artifactId] });
  }

  async idsForJob(jobId: string): Promise<string[]> {
    const rows = await this.#rows<{ id: string }>(artifactsSql.idsForJob, [jobId]);
    return rows.map((row) => row.id);
  }
}
