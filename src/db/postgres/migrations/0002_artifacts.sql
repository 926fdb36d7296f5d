-- Rendered files (videos, thumbnails) stored as 1 MiB chunks. An artifact is readable only once
-- `complete` is set, with its size and sha256, by the holder of its job's current lease.
-- Deleting a job deletes its artifacts and their chunks.

CREATE TABLE artifacts (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  kind text NOT NULL,
  content_type text NOT NULL,
  size bigint CHECK (size >= 0),
  sha256 text,
  chunk_size integer NOT NULL CHECK (chunk_size > 0),
  -- The job attempt (lease) that wrote it.
  attempt integer NOT NULL,
  complete boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT artifacts_complete_check
    CHECK (NOT complete OR (size IS NOT NULL AND sha256 IS NOT NULL AND completed_at IS NOT NULL))
);

-- A job's artifacts by kind; also serves the cascade from jobs.
CREATE INDEX artifacts_job_kind_idx ON artifacts (job_id, kind);

CREATE TABLE artifact_chunks (
  artifact_id uuid NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (artifact_id, seq)
);

-- Video and PNG are compressed already: keep chunks out of line without trying to compress them again.
ALTER TABLE artifact_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
