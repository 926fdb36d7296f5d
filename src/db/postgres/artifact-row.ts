/** `artifacts` rows as the pg driver returns them, and their mapping to the artifact model. */
import type { ArtifactRecord } from '../../artifacts/storage.js';

export interface PgArtifactRow {
  id: string;
  job_id: string;
  kind: string;
  content_type: string;
  size: number | null;
  sha256: string | null;
  chunk_size: number;
  attempt: number;
  complete: boolean;
  created_at: Date;
  completed_at: Date | null;
}

export function artifactFromPg(row: PgArtifactRow): ArtifactRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    kind: row.kind,
    contentType: row.content_type,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    chunkSize: row.chunk_size,
    attempt: row.attempt,
    complete: row.complete,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
