/**
 * Every SQL statement of the SQLite artifact storage. Values are bind parameters; the only text
 * pasted in is the constant clock expression and the lease fence below.
 */
import { boundCount } from './bound-count.js';
import { NOW } from './jobs-sql.js';

/** The job's current lease: the same fence as every worker write to `jobs`. */
const LEASE_HELD = `EXISTS (SELECT 1 FROM jobs WHERE jobs.id = @jobId AND jobs.attempt = @attempt
  AND jobs.worker_id = @workerId AND jobs.status = 'running')`;

export const artifactsSql = {
  create: `
    INSERT INTO artifacts (id, job_id, kind, content_type, chunk_size, attempt, created_at)
    SELECT @id, jobs.id, @kind, @contentType, @chunkSize, jobs.attempt, ${NOW}
    FROM jobs
    WHERE jobs.id = @jobId AND jobs.attempt = @attempt AND jobs.worker_id = @workerId
      AND jobs.status = 'running'`,

  putChunk: `
    INSERT INTO artifact_chunks (artifact_id, seq, data)
    SELECT @artifactId, @seq, @data WHERE ${LEASE_HELD}`,

  complete: `
    UPDATE artifacts SET complete = 1, size = @size, sha256 = @sha256, completed_at = ${NOW}
    WHERE id = @artifactId AND job_id = @jobId AND complete = 0 AND ${LEASE_HELD}
    RETURNING *`,

  supersededBy: `
    SELECT id FROM artifacts
    WHERE job_id = @jobId AND kind = @kind AND id <> @id AND (complete = 1 OR attempt < @attempt)`,

  selectById: `SELECT * FROM artifacts WHERE id = @id`,

  newestComplete: `
    SELECT * FROM artifacts WHERE job_id = @jobId AND kind = @kind AND complete = 1
    ORDER BY completed_at DESC, id DESC LIMIT 1`,

  /** A piece of one chunk: @offset from 0. */
  chunkPiece: `
    SELECT substr(data, @offset + 1, @length) AS data FROM artifact_chunks
    WHERE artifact_id = @artifactId AND seq = @seq`,

  deleteChunks: `
    DELETE FROM artifact_chunks
    WHERE artifact_id = @artifactId AND seq IN (
      SELECT seq FROM artifact_chunks WHERE artifact_id = @artifactId ORDER BY seq DESC LIMIT ${boundCount('limit')})`,

  deleteRecord: `DELETE FROM artifacts WHERE id = @id`,

  idsForJob: `SELECT id FROM artifacts WHERE job_id = @jobId ORDER BY id`,
} as const;
