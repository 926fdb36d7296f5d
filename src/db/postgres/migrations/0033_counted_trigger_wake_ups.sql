-- The wake-ups the triggers send say how many jobs they announce, and of which kind (issue 29), as
-- an enqueue's do: `a:<count>:<kind>`. The children a parent's end readies (migration 0030) and the
-- webhook deliveries a finished job queues (0005, 0015) sent an uncounted `a`, which every idle
-- worker of a fleet answers with a claim; a counted one is answered by a few (the wake-up lottery),
-- and one of a kind a worker does not handle by none of it.
--
-- PostgreSQL delivers the identical notifications of one transaction once, so a NOTIFY per row
-- would say `a:1:webhook` for three deliveries queued by one batched completion. The row triggers
-- instead add their jobs to counts per kind kept for the transaction (a transaction-local setting,
-- undone with a rolled-back savepoint), and a deferred trigger sends them at commit, one wake-up per
-- kind, then empties them: the first of its firings sends, the others find nothing. It fires only
-- for the rows the two triggers fire for (a parent's status change, a job with a webhook_url that
-- ends), so no other write pays for it.

-- Adds `jobs` jobs of `kind` to the transaction's wake-up counts; returns `jobs`.
CREATE FUNCTION reelqueue_count_wake_up(kind text, jobs bigint) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  counts jsonb := coalesce(nullif(current_setting('reelqueue.wake_ups', true), ''), '{}')::jsonb;
BEGIN
  PERFORM set_config('reelqueue.wake_ups',
    jsonb_set(counts, ARRAY[kind], to_jsonb(coalesce((counts ->> kind)::bigint, 0) + jobs))::text, true);
  RETURN jobs;
END $$;

-- At commit: one wake-up per kind counted, then none left to send.
CREATE FUNCTION reelqueue_send_wake_ups() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  counts text := current_setting('reelqueue.wake_ups', true);
BEGIN
  IF counts IS NULL OR counts IN ('', '{}') THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('reelqueue.wake_ups', '{}', true);
  PERFORM pg_notify('reelqueue_' || current_schema(), 'a:' || c.value || ':' || c.key)
  FROM jsonb_each_text(counts::jsonb) AS c WHERE c.value::bigint > 0;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER jobs_send_wake_ups AFTER UPDATE OF status ON jobs
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
  AND (NEW.has_children OR jsonb_typeof(NEW.payload -> 'webhook_url') = 'string'))
EXECUTE FUNCTION reelqueue_send_wake_ups();

CREATE OR REPLACE FUNCTION reelqueue_webhook_enqueue()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  INSERT INTO jobs (id, kind, user_id, priority, payload, created_at, run_at, timeout_seconds, max_retries)
  VALUES (gen_random_uuid(), 'webhook', NEW.user_id, 3,
    jsonb_build_object('job_id', NEW.id, 'url', NEW.payload ->> 'webhook_url', 'status', NEW.status),
    date_trunc('milliseconds', now()), now(), 60, 5);
  PERFORM reelqueue_count_wake_up('webhook', 1);
  RETURN NULL;
END
$$;

-- Migration 0030's, counting the children it readies by kind instead of notifying.
CREATE OR REPLACE FUNCTION reelqueue_settle_children() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  readied bigint;
  code text;
BEGIN
  -- The children first, in id order: an enqueue or a retry changing one of them waits for this
  -- transaction (or this one for it), and the statements below see what it committed.
  PERFORM 1 FROM jobs WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
  ORDER BY id FOR UPDATE;
  IF NEW.status = 'completed' THEN
    WITH c AS (
      UPDATE jobs SET waiting_parents = waiting_parents - 1,
        status = CASE WHEN waiting_parents = 1 THEN 'pending' ELSE status END,
        message = CASE WHEN waiting_parents = 1 THEN 'Queued: the jobs it depends on completed'
          ELSE message END,
        updated_at = now()
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id) AND status = 'waiting'
      RETURNING id, kind, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on completed',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending')
    SELECT sum(k.counted) INTO readied FROM (
      SELECT reelqueue_count_wake_up(c.kind, count(*)) AS counted FROM c WHERE c.status = 'pending'
      GROUP BY c.kind) AS k;
  ELSIF NEW.status IN ('failed', 'cancelled', 'timeout')
    AND OLD.status NOT IN ('failed', 'cancelled', 'timeout') THEN
    code := CASE WHEN NEW.error_code IN ('PARENT_FAILED', 'PARENT_CANCELLED') THEN NEW.error_code
      WHEN NEW.status = 'cancelled' THEN 'PARENT_CANCELLED' ELSE 'PARENT_FAILED' END;
    WITH c AS (
      UPDATE jobs SET waiting_parents = greatest(waiting_parents - 1, 0),
        status = CASE WHEN waiting_parents <= 1 THEN 'pending' ELSE status END,
        message = CASE WHEN waiting_parents <= 1 THEN 'Queued: the jobs it depends on are settled'
          ELSE message END,
        updated_at = now()
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND status = 'waiting' AND on_parent_failure = 'run'
      RETURNING id, kind, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on are settled',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending')
    SELECT sum(k.counted) INTO readied FROM (
      SELECT reelqueue_count_wake_up(c.kind, count(*)) AS counted FROM c WHERE c.status = 'pending'
      GROUP BY c.kind) AS k;
    WITH c AS (
      UPDATE jobs SET status = CASE on_parent_failure WHEN 'cancel' THEN 'cancelled' ELSE 'failed' END,
        completed_at = now(), updated_at = now(), error_code = code,
        error_message = 'A job it depends on did not complete',
        message = 'A job it depends on did not complete'
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND status = 'waiting' AND on_parent_failure <> 'run'
      RETURNING id, status, progress, stage, attempt)
    INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT c.id, c.status, c.status, c.progress, c.stage, 'A job it depends on did not complete',
      c.attempt, NULL, jsonb_build_object('error_code', code)
    FROM c;
  ELSIF NEW.status IN ('pending', 'waiting') AND OLD.status IN ('failed', 'cancelled', 'timeout') THEN
    WITH revived AS (
      SELECT id, status AS was FROM jobs
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND (status = 'waiting' OR (status IN ('failed', 'cancelled')
          AND error_code IN ('PARENT_FAILED', 'PARENT_CANCELLED')))),
    c AS (
      UPDATE jobs SET status = 'waiting', completed_at = NULL, updated_at = now(),
        error_code = NULL, error_message = NULL, error_details = NULL, cancel_requested_at = NULL,
        cancel_reason = NULL, progress = 0, stage = NULL,
        message = 'Waiting again: a job it depends on was retried',
        waiting_parents = (
          SELECT count(*) FROM job_dependencies AS d JOIN jobs AS p ON p.id = d.parent_id
          WHERE d.child_id = jobs.id AND p.status <> 'completed'
            AND NOT (jobs.on_parent_failure = 'run' AND p.status IN ('failed', 'cancelled', 'timeout')))
      FROM revived WHERE jobs.id = revived.id
      RETURNING jobs.id, revived.was, jobs.attempt)
    INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT c.id, 'retried', 'waiting', 0, NULL, 'Waiting again: a job it depends on was retried',
      c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
    FROM c WHERE c.was <> 'waiting';
  END IF;
  RETURN NULL;
END $$;
