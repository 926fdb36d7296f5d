-- Every event written checked its job through the foreign key: a lookup and a key-share lock of the
-- job row, per event, a third of the cost of a bulk insert and a share of every claim and
-- completion. Events are written only in the statement that writes their job (a CTE or a trigger
-- on that row), so the check proved nothing. What the key also did, deleting a job's events with
-- the job, a statement-level trigger now does, however the jobs are deleted.

ALTER TABLE job_events DROP CONSTRAINT job_events_job_id_fkey;

CREATE FUNCTION reelqueue_delete_job_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_events WHERE job_id IN (SELECT id FROM deleted_jobs);
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_delete_events AFTER DELETE ON jobs REFERENCING OLD TABLE AS deleted_jobs
  FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_delete_job_events();
