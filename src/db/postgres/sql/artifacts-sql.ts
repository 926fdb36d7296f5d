/**
 * Every SQL statement of the PostgreSQL artifact storage. Values are bind parameters (chunks travel
 * as binary bytea parameters), except in `chunkPieceCopy`, whose COPY takes none; each statement is
 * its own short transaction.
 */
import { isArtifactId } from '../../../artifacts/model.js';

/** $n, $n+1, $n+2: the job's current lease, the same fence as every worker write to `jobs`. */
function leaseHeld(first: number): string {
  return `jobs.id = $${first} AND jobs.attempt = $${first + 1} AND jobs.worker_id = $${first + 2}
    AND jobs.status = 'running'`;
}

export const artifactsSql = {
  /** $1 id, $2–$4 lease, $5 kind, $6 content type, $7 chunk size. */
  create: `
    INSERT INTO artifacts (id, job_id, kind, content_type, chunk_size, attempt)
    SELECT $1::uuid, jobs.id, $5::text, $6::text, $7::integer, jobs.attempt
    FROM jobs WHERE ${leaseHeld(2)}`,

  /** $1 artifact id, $2 seq, $3 data, $4–$6 lease. */
  putChunk: `
    INSERT INTO artifact_chunks (artifact_id, seq, data)
    SELECT $1::uuid, $2::integer, $3::bytea
    WHERE EXISTS (SELECT 1 FROM jobs WHERE ${leaseHeld(4)})`,

  /**
   * $1 artifact id, $2–$4 lease, $5 size, $6 sha256. The job row is share-locked for the statement:
   * a concurrent reaper or claim waits (or skips it), so the lease cannot change hands half-way.
   */
  complete: `
    WITH lease AS MATERIALIZED (SELECT jobs.id FROM jobs WHERE ${leaseHeld(2)} FOR SHARE)
    UPDATE artifacts SET complete = true, size = $5, sha256 = $6, completed_at = now()
    FROM lease
    WHERE artifacts.id = $1 AND artifacts.job_id = lease.id AND NOT artifacts.complete
    RETURNING artifacts.*`,

  /** $1 job id, $2 kind, $3 id of the completed artifact, $4 its attempt. */
  supersededBy: `
    SELECT id FROM artifacts
    WHERE job_id = $1 AND kind = $2 AND id <> $3 AND (complete OR attempt < $4)`,

  selectById: `SELECT * FROM artifacts WHERE id = $1`,

  /** $1 job id, $2 kind. */
  newestComplete: `
    SELECT * FROM artifacts WHERE job_id = $1 AND kind = $2 AND complete
    ORDER BY completed_at DESC, id DESC LIMIT 1`,

  /** $1 artifact id, $2 how many. */
  deleteChunks: `
    DELETE FROM artifact_chunks
    WHERE artifact_id = $1 AND seq IN (
      SELECT seq FROM artifact_chunks WHERE artifact_id = $1 ORDER BY seq DESC LIMIT $2)`,

  deleteRecord: `DELETE FROM artifacts WHERE id = $1`,

  idsForJob: `SELECT id FROM artifacts WHERE job_id = $1 ORDER BY id`,
} as const;

/**
 * A piece of a chunk (`length` bytes from `offset`, counted from 0) as binary COPY output
 * (`singleFieldOfBinaryCopy`; why COPY: `PostgresArtifactStorage.pieceBytes`). COPY takes no
 * parameters, so the values are written into the text, each checked first: a UUID and three
 * non-negative integers. A bad one throws before any connection is taken.
 */
export function chunkPieceCopy(artifactId: string, seq: number, offset: number, length: number): string {
  if (!isArtifactId(artifactId)) throw new Error(`Not an artifact id: ${JSON.stringify(artifactId)}`);
  for (const value of [seq, offset, length]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Not a piece position: ${value}`);
  }
  return `COPY (
    SELECT substring(data FROM ${offset + 1} FOR ${length}) FROM artifact_chunks
    WHERE artifact_id = '${artifactId}' AND seq = ${seq}) TO STDOUT (FORMAT binary)`;
}
