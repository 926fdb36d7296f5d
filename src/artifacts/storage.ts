/**
 * What `ChunkedArtifactStore` needs from a database: short statements on the `artifacts` and
 * `artifact_chunks` tables. `src/db/sqlite` and `src/db/postgres` each implement it with the SQL in
 * their `sql/artifacts-sql.ts`; the streaming, hashing and range logic lives once, above it.
 */
import type { Lease } from '../jobs/model.js';

/** An `artifacts` row, complete or not. */
export interface ArtifactRecord {
  id: string;
  jobId: string;
  kind: string;
  contentType: string;
  size: number | null;
  sha256: string | null;
  chunkSize: number;
  attempt: number;
  complete: boolean;
  createdAt: Date;
  completedAt: Date | null;
}

export interface NewArtifactRecord {
  id: string;
  kind: string;
  contentType: string;
  chunkSize: number;
}

export interface ArtifactStorage {
  /** Inserts an incomplete artifact of the lease's job; false when the lease is not held. */
  create(record: NewArtifactRecord, lease: Lease): Promise<boolean>;
  /** Stores chunk `seq` in its own transaction; false when the lease is not held. */
  putChunk(artifactId: string, seq: number, data: Buffer, lease: Lease): Promise<boolean>;
  /**
   * Marks the artifact complete with its size and digest in one statement fenced on the lease (the
   * lease is locked for that statement, so it cannot change hands half-way). Null when the lease
   * is not held or the artifact is gone.
   */
  complete(
    artifactId: string,
    lease: Lease,
    totals: { size: number; sha256: string },
  ): Promise<ArtifactRecord | null>;
  /** Ids of the job's other artifacts of the same kind that `completed` replaces. */
  supersededBy(completed: ArtifactRecord): Promise<string[]>;
  record(artifactId: string): Promise<ArtifactRecord | null>;
  newestComplete(jobId: string, kind: string): Promise<ArtifactRecord | null>;
  /**
   * Reads fetch chunks in pieces of at most this many bytes: what a reader holds at a time, per
   * client. Each database sizes it to what its driver allocates per piece (see its storage).
   */
  readonly pieceBytes: number;
  /**
   * `length` bytes of chunk `seq` from `offset`, as one or more Buffers in order (PostgreSQL's are
   * views of the socket's reads, never joined); null when the chunk does not exist.
   */
  chunkPiece(artifactId: string, seq: number, offset: number, length: number): Promise<Buffer[] | null>;
  /** Deletes up to `limit` chunks of the artifact in one short transaction; returns how many. */
  deleteChunks(artifactId: string, limit: number): Promise<number>;
  /** Deletes the artifact row (and by cascade any chunk left). */
  deleteRecord(artifactId: string): Promise<void>;
  /** Ids of every artifact of the job, complete or not. */
  idsForJob(jobId: string): Promise<string[]>;
}
