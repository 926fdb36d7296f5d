-- The durable queue: one jobs table for every kind, its event log, and the seeds' view.
-- Times come from the database clock (now()).

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  user_id text,
  lesson_id text,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'timeout')),
  priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
  payload jsonb NOT NULL DEFAULT '{}',
  progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage text,
  message text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  run_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  timeout_seconds integer NOT NULL CHECK (timeout_seconds > 0),
  attempt integer NOT NULL DEFAULT 0,
  retry_count integer NOT NULL DEFAULT 0,
  max_retries integer NOT NULL CHECK (max_retries >= 0),
  worker_id text,
  lease_expires_at timestamptz,
  last_heartbeat timestamptz,
  cancel_requested_at timestamptz,
  cancel_reason text,
  result jsonb,
  error_code text,
  error_message text,
  error_details jsonb,
  idempotency_key text,
  processing_time_seconds double precision
);

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
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs ((coalesce(user_id, '')), idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE job_events (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  status text NOT NULL,
  progress smallint NOT NULL,
  stage text,
  message text,
  attempt integer NOT NULL,
  worker_id text,
  data jsonb
);

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
  j.created_at,
  j.started_at,
  j.completed_at,
  j.timeout_seconds,
  j.result ->> 'presentation_id' AS presentation_id,
  (j.result ->> 'slide_count')::integer AS slide_count,
  j.result AS result_data,
  j.retry_count,
  j.max_retries,
  j.error_code,
  j.error_message,
  j.error_details,
  coalesce(j.payload ->> 'style', 'default') AS style,
  coalesce((j.payload ->> 'use_llm_polish')::boolean, false) AS use_llm_polish,
  j.worker_id,
  CASE WHEN j.status = 'pending' THEN (
    SELECT count(*) FROM jobs AS ahead
    WHERE ahead.status = 'pending'
      AND (ahead.priority > j.priority
        OR (ahead.priority = j.priority AND (ahead.run_at, ahead.id) < (j.run_at, j.id)))
  ) END AS queue_position,
  j.processing_time_seconds,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id END AS video_url,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id || '/thumbnail' END AS thumbnail_url,
  j.result ->> 'slide_image_path' AS slide_image_path,
  j.last_heartbeat,
  coalesce(j.result -> 'created_files', '[]'::jsonb) AS created_files
FROM jobs AS j
WHERE j.kind = 'presentation';
