-- Rendered files (videos, thumbnails) stored as 1 MiB chunks. An artifact is readable only once
-- `complete` is set, with its size and sha256, by the holder of its job's current lease.
-- Deleting a job deletes its artifacts and their chunks.

CREATE TABLE artifacts (
  id TEXT PRIMARY KEY NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER CHECK (size >= 0),
  sha256 TEXT,
  chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
  -- The job attempt (lease) that wrote it.
  attempt INTEGER NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created_at INTEGER NOT NULL,
  completed_at INTEGER,
  CHECK (complete = 0 OR (size IS NOT NULL AND sha256 IS NOT NULL AND completed_at IS NOT NULL))
) STRICT;

-- A job's artifacts by kind; also serves the cascade from jobs.
CREATE INDEX artifacts_job_kind_idx ON artifacts (job_id, kind);

-- A rowid table (not WITHOUT ROWID): its rows are large blobs.
CREATE TABLE artifact_chunks (
  artifact_id TEXT NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  data BLOB NOT NULL,
  PRIMARY KEY (artifact_id, seq)
) STRICT;
