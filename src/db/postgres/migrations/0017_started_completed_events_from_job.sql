-- A job's `started` and `completed` events are read from its row while the row still says what they
-- said, as its `created` event is since migration 0015, instead of being stored by the claim and by
-- the completion. Each of those two events was a row of `job_events` and an entry of its key for
-- every job run. A 20,000-job drain (bench/tools/drain-cost.ts, 4 pairs interleaving the build
-- before): WAL 1,846–1,848 → 1,363–1,364 bytes a job, server CPU 33.0–34.5 → 29.5–32.5 µs a job;
-- no-op throughput 0.65–0.68× → 0.70–0.75× graphile-worker batched at concurrency 10, 0.70–0.76× →
-- 0.77–0.80× at 50 (3 pairs of `--only throughput --runs 3`).
--
-- The claim reserves the `started` event's id from the events' sequence (started_event_id) and the
-- completion the `completed` event's (completed_event_id), so both keep their place among the job's
-- stored events (a progress event written after the claim has a larger id; a stream resumed after
-- an id sees nothing twice and misses nothing). The event log (`selectEvents`) reads them from the
-- row: `started` at started_at, status running, progress 0, no stage, message 'Started', the row's
-- attempt and worker; `completed` at completed_at, progress 100, the row's stage, 'Completed'.
--
-- A row says what its `started` event said until its job leaves that attempt for the queue again (a
-- retry, a release, a recovery, a manual retry), which clears its worker: those statements set
-- started_event_id to NULL, and the trigger below stores the event first, from the old row, under
-- its reserved id. A completed job is never changed again (only deleted, with its log), but the
-- trigger keeps its `completed` event the same way should its completed_event_id change.
--
-- Upgrading: stop the older worker and reaper processes first. A job they return to the queue would
-- keep its started_event_id, and the event read from it would show no worker.

ALTER TABLE jobs ADD COLUMN started_event_id bigint, ADD COLUMN completed_event_id bigint;

CREATE FUNCTION reelqueue_store_derived_events()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS DISTINCT FROM OLD.started_event_id THEN
    INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (OLD.started_event_id, OLD.id, OLD.started_at, 'started', 'running', 0, NULL, 'Started',
      OLD.attempt, OLD.worker_id, NULL);
  END IF;
  IF OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS DISTINCT FROM OLD.completed_event_id THEN
    INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (OLD.completed_event_id, OLD.id, OLD.completed_at, 'completed', 'completed', 100, OLD.stage,
      'Completed', OLD.attempt, OLD.worker_id, NULL);
  END IF;
  RETURN NULL;
END
$$;

-- UPDATE OF: statements that set neither column (heartbeats, progress, cancel requests) skip it; the
-- claim and the completion set one from NULL, which WHEN turns away without calling the function.
CREATE TRIGGER jobs_store_derived_events AFTER UPDATE OF started_event_id, completed_event_id ON jobs
FOR EACH ROW WHEN (
  (OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS DISTINCT FROM OLD.started_event_id)
  OR (OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS DISTINCT FROM OLD.completed_event_id))
EXECUTE FUNCTION reelqueue_store_derived_events();
