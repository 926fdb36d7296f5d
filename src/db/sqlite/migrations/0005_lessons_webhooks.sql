-- Lessons a user stores to render later, and webhook deliveries as durable jobs.
-- When a job whose payload has a webhook_url reaches a terminal state, by any path (a worker, a
-- cancel, the reaper), a trigger queues a `webhook` job in the same transaction; that job's
-- handler POSTs the signed job and records every attempt in webhook_deliveries.

CREATE TABLE lessons (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  -- The validated lesson: {"title": …, "slides": [{"title", "bullets", "narration"}]}.
  body TEXT NOT NULL CHECK (json_valid(body)),
  created_at INTEGER NOT NULL
) STRICT;

-- Owner listings, newest first (every lesson query is scoped by owner).
CREATE INDEX lessons_user_created_idx ON lessons (user_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY NOT NULL,
  -- The `webhook` job that made the attempt (sent as X-Reelqueue-Delivery); kept when it is cleaned up.
  webhook_job_id TEXT NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  -- The receiver's HTTP status, or NULL when no answer came (then `error` says why).
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  at INTEGER NOT NULL
) STRICT;

CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id, at, id);

-- A job with a webhook_url entered a terminal state: queue its delivery. The id is a random
-- (version 4) UUID; priority 3 (urgent) so a delivery does not wait behind queued renders; five
-- retries with the worker's backoff. The `created` event mirrors what the job store writes. A
-- payload that is not JSON never blocks the status change: it just has no webhook.
CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs
WHEN NEW.status IN ('completed', 'failed', 'cancelled', 'timeout')
  AND OLD.status NOT IN ('completed', 'failed', 'cancelled', 'timeout')
  AND CASE WHEN json_valid(NEW.payload) THEN json_type(NEW.payload, '$.webhook_url') END = 'text'
BEGIN
  INSERT INTO jobs (id, kind, user_id, status, priority, payload, created_at, updated_at, run_at,
    timeout_seconds, max_retries)
  VALUES (
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
      || substr(lower(hex(randomblob(2))), 2) || '-'
      || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-'
      || lower(hex(randomblob(6))),
    'webhook', NEW.user_id, 'pending', 3,
    json_object('job_id', NEW.id, 'url', json_extract(NEW.payload, '$.webhook_url'), 'status', NEW.status),
    CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER),
    CAST(unixepoch('subsec') * 1000 AS INTEGER), 60, 5);
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT id, created_at, 'created', status, progress, NULL, 'Queued', attempt, NULL, NULL
  FROM jobs WHERE rowid = last_insert_rowid();
END;
