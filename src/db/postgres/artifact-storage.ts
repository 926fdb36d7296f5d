/**
 * The artifact tables on PostgreSQL. Every call is one statement on a pooled connection (its own
 * transaction): no transaction spans an upload or a read.
 */
import type { ArtifactRecord, ArtifactStorage, NewArtifactRecord } from '../../artifacts/storage.js';
import type { Lease } from '../../jobs/model.js';
import { artifactFromPg, type PgArtifactRow } from './artifact-row.js';
import type { PgPool } from './pool.js';
import { artifactsSql } from './sql/artifacts-sql.js';

export class PostgresArtifactStorage implements ArtifactStorage {
  /**
   * The driver reads text results only, so a piece travels as text: base64 (`chunkPiece`), a third
   * larger than the bytes, rather than bytea's hex, twice as large. At 60 KiB the text stays under
   * V8's large-object size (128 KiB), so it dies young. A 500 MB video to 20 Range clients
   * (`npm run bench -- --only streaming`): as hex, 72–119 MB/s, the server growing by 32–37 MB; as
   * base64, 111–151 MB/s and 34.5–40.5 MB. With either, a run right after a large write sometimes
   * grows by 84–133 MB (docs/benchmarks.md, "Streaming"). With 128 KiB pieces as hex it was 74 MB.
   */
  readonly pieceBytes = 60 * 1024;
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

  async chunkPiece(artifactId: string, seq: number, offset: number, length: number): Promise<Buffer | null> {
    const [row] = await this.#rows<{ data: string }>(artifactsSql.chunkPiece, [
      artifactId,
      seq,
      offset,
      length,
    ]);
    return row ? Buffer.from(row.data, 'base64') : null;
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
