-- The durable queue: one jobs table for every kind, its event log, and the seeds' view.
-- Times are integer milliseconds since the Unix epoch, taken from SQLite's clock.

CREATE TABLE jobs (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  lesson_id TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'timeout')),
  priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
  payload TEXT NOT NULL DEFAULT '{}',
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage TEXT,
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds > 0),
  attempt INTEGER NOT NULL DEFAULT 0,
  retry_count INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL CHECK (max_retries >= 0),
  worker_id TEXT,
  lease_expires_at INTEGER,
  last_heartbeat INTEGER,
  cancel_requested_at INTEGER,
  cancel_reason TEXT,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  error_details TEXT,
  idempotency_key TEXT,
  processing_time_seconds REAL
) STRICT;

-- Claim order: priority, then oldest; only pending rows are in the index.
CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id) WHERE status = 'pending';
-- Lease sweep: only running rows.
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
-- Owner listings, newest first.
CREATE INDEX jobs_user_created_idx ON jobs (user_id, created_at DESC, id DESC);
-- Admin listings and statistics windows.
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at);
-- Cleanup of finished jobs.
CREATE INDEX jobs_finished_idx ON jobs (completed_at)
  WHERE status IN ('completed', 'failed', 'cancelled', 'timeout');
-- The same idempotency key from the same user names the same job.
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (coalesce(user_id, ''), idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  progress INTEGER NOT NULL,
  stage TEXT,
  message TEXT,
  attempt INTEGER NOT NULL,
  worker_id TEXT,
  data TEXT
) STRICT;

CREATE INDEX job_events_job_idx ON job_events (job_id, id);

CREATE VIEW presentation_jobs AS
SELECT
  j.id,
  j.lesson_id,
  j.user_id,
  j.status,
  CASE j.priority WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END AS priority,
  j.progress,
  j.message,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.created_at / 1000.0, 'unixepoch') AS created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.started_at / 1000.0, 'unixepoch') AS started_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.completed_at / 1000.0, 'unixepoch') AS completed_at,
  j.timeout_seconds,
  json_extract(j.result, '$.presentation_id') AS presentation_id,
  json_extract(j.result, '$.slide_count') AS slide_count,
  j.result AS result_data,
  j.retry_count,
  j.max_retries,
  j.error_code,
  j.error_message,
  j.error_details,
  coalesce(json_extract(j.payload, '$.style'), 'default') AS style,
  coalesce(json_extract(j.payload, '$.use_llm_polish'), 0) AS use_llm_polish,
  j.worker_id,
  CASE WHEN j.status = 'pending' THEN (
    SELECT count(*) FROM jobs AS ahead
    WHERE ahead.status = 'pending'
      AND (ahead.priority > j.priority
        OR (ahead.priority = j.priority AND (ahead.run_at < j.run_at
          OR (ahead.run_at = j.run_at AND ahead.id < j.id))))
  ) END AS queue_position,
  j.processing_time_seconds,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id END AS video_url,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id || '/thumbnail' END AS thumbnail_url,
  json_extract(j.result, '$.slide_image_path') AS slide_image_path,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.last_heartbeat / 1000.0, 'unixepoch') AS last_heartbeat,
  coalesce(json_extract(j.result, '$.created_files'), '[]') AS created_files
FROM jobs AS j
WHERE j.kind = 'presentation';
