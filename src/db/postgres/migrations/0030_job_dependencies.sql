-- Jobs that wait for others (issue 24): a job may name the jobs it depends on (its parents) when it
-- is queued. It stays `waiting` until every parent completes, then becomes `pending` in the
-- transaction of the last parent's completion. What a parent that ends failed, timed out or
-- cancelled does to a waiting child is the child's `on_parent_failure`: `fail` (default), `cancel`,
-- or `run` (the parent counts as settled). A manual retry of a parent puts its waiting children and
-- those failed or cancelled by it (PARENT_FAILED, PARENT_CANCELLED) back to waiting, transitively.
--
-- jobs gets three columns: on_parent_failure; waiting_parents, the parents not yet settled (the
-- job becomes pending when it reaches 0); has_children, set (under the parent's row lock) when a
-- child names the job, so the trigger below fires only for parents: a job without children pays a
-- test of one column of the updated row. The finished-job indexes leave waiting jobs out; a partial
-- index holds the waiting jobs.
--
-- The trigger does the work in the transaction that changes the parent, whichever path changes it
-- (a worker, a cancel, the reaper, a retry), one generation at a time: a child it fails, cancels or
-- revives fires it again for the child's own children.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'timeout', 'waiting'));
ALTER TABLE jobs
  ADD COLUMN on_parent_failure text NOT NULL DEFAULT 'fail'
    CONSTRAINT jobs_on_parent_failure_check CHECK (on_parent_failure IN ('fail', 'cancel', 'run')),
  ADD COLUMN waiting_parents integer NOT NULL DEFAULT 0,
  ADD COLUMN has_children boolean NOT NULL DEFAULT false;

-- Finished: neither pending, running nor waiting (`IS_FINISHED` of src/db/status-predicates.ts).
DROP INDEX jobs_finished_idx;
CREATE INDEX jobs_finished_idx ON jobs (completed_at, status)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';
DROP INDEX jobs_unsuccessful_created_idx;
CREATE INDEX jobs_unsuccessful_created_idx ON jobs (created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting' AND status <> 'completed';
-- Waiting jobs, by parents left (counts by status).
CREATE INDEX jobs_waiting_idx ON jobs (waiting_parents) WHERE status = 'waiting';

-- A child's parents, and (by the second index) a parent's children.
CREATE TABLE job_dependencies (
  child_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  parent_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (child_id, parent_id)
);
CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id, child_id);

CREATE FUNCTION reelqueue_settle_children() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  readied bigint := 0;
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
      RETURNING id, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on completed',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending'
      RETURNING 1)
    SELECT count(*) INTO readied FROM e;
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
      RETURNING id, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on are settled',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending'
      RETURNING 1)
    SELECT count(*) INTO readied FROM e;
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
  IF readied > 0 THEN
    PERFORM pg_notify('reelqueue_' || current_schema(), 'a');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_settle_children AFTER UPDATE OF status ON jobs
FOR EACH ROW WHEN (NEW.has_children AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION reelqueue_settle_children();
