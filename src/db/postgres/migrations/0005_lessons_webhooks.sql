-- Lessons a user stores to render later, and webhook deliveries as durable jobs.
-- When a job whose payload has a webhook_url reaches a terminal state, by any path (a worker, a
-- cancel, the reaper), a trigger queues a `webhook` job in the same transaction; that job's
-- handler POSTs the signed job and records every attempt in webhook_deliveries.

CREATE TABLE lessons (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title text NOT NULL,
  -- The validated lesson: {"title": …, "slides": [{"title", "bullets", "narration"}]}.
  body jsonb NOT NULL,
  -- To the millisecond: listing cursors carry JavaScript (millisecond) times.
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

-- Owner listings, newest first (every lesson query is scoped by owner).
CREATE INDEX lessons_user_created_idx ON lessons (user_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  -- The `webhook` job that made the attempt (sent as X-Reelqueue-Delivery); kept when it is cleaned up.
  webhook_job_id uuid NOT NULL,
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  url text NOT NULL,
  event text NOT NULL,
  -- The receiver's HTTP status, or NULL when no answer came (then `error` says why).
  status_code integer,
  error text,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id, at, id);

-- A job with a webhook_url entered a terminal state: queue its delivery, priority 3 (urgent) so it
-- does not wait behind queued renders, five retries with the worker's backoff, a `created` event
-- as the job store writes, and a wake-up on the store's channel (`reelqueue_<schema>`, see
-- PostgresJobStore), delivered on commit.
CREATE FUNCTION reelqueue_webhook_enqueue()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  delivery uuid := gen_random_uuid();
BEGIN
  INSERT INTO jobs (id, kind, user_id, priority, payload, created_at, run_at, timeout_seconds, max_retries)
  VALUES (delivery, 'webhook', NEW.user_id, 3,
    jsonb_build_object('job_id', NEW.id, 'url', NEW.payload ->> 'webhook_url', 'status', NEW.status),
    date_trunc('milliseconds', now()), now(), 60, 5);
  INSERT INTO job_events (job_id, type, status, progress, message, attempt)
  VALUES (delivery, 'created', 'pending', 0, 'Queued', 0);
  PERFORM pg_notify('reelqueue_' || current_schema(), 'a');
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs
FOR EACH ROW WHEN (NEW.status IN ('completed', 'failed', 'cancelled', 'timeout')
  AND OLD.status NOT IN ('completed', 'failed', 'cancelled', 'timeout')
  AND jsonb_typeof(NEW.payload -> 'webhook_url') = 'string')
EXECUTE FUNCTION reelqueue_webhook_enqueue();
