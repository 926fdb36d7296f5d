-- A job's `created` event says nothing its row does not: the job, its creation time, status pending,
-- progress 0, attempt 0, message 'Queued'. The event log now reads it from the row (event id 0, first
-- in every job's log; `selectEvents`) instead of storing it, so an enqueue writes one row and two
-- index entries fewer per job. The rows stored before would now show twice.
DELETE FROM job_events WHERE type = 'created';

-- The webhook delivery a finished job queues (migration 0009) no longer stores its `created` event
-- either; otherwise unchanged.
DROP TRIGGER jobs_webhook_enqueue;
CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs
WHEN (OLD.status = 'pending' OR OLD.status = 'running')
  AND NEW.status <> 'pending' AND NEW.status <> 'running'
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
END;
