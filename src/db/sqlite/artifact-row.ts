/** `artifacts` rows as SQLite returns them, and their mapping to the artifact model. */
import type { ArtifactRecord } from '../../artifacts/storage.js';

export interface SqliteArtifactRow {
  id: string;
  job_id: string;
  kind: string;
  content_type: string;
  size: number | null;
  sha256: string | null;
  chunk_size: number;
  attempt: number;
  complete: number;
  created_at: number;
  completed_at: number | null;
}

export function artifactFromSqlite(row: SqliteArtifactRow): ArtifactRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    kind: row.kind,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    chunkSize: row.chunk_size,
    attempt: row.attempt,
    complete: row.complete === 1,
    createdAt: new Date(row.created_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}
