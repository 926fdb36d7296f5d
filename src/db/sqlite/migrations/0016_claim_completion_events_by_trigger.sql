-- A claim's `started` events and a completion's `completed` events are written by triggers, in the
-- statement that changes the job, as PostgreSQL's claim and completion statements write them.
--
-- Before, the store read each claimed or completed job back into JavaScript, built a JSON array of
-- the events and handed it to a second statement that parsed it again. A store loop claiming and
-- completing 20,000 no-op jobs in batches of 200 took 16.0–16.5 µs a job that way and 13.4–14.3 µs
-- with these triggers and a completion that returns only the ids it completed.
--
-- Each event copies the row it follows, as the store's events did: the status, progress, stage,
-- message, attempt and worker the statement wrote, at the time it wrote them (started_at,
-- completed_at). Only a claim makes a pending job running and only a completion makes a running job
-- completed, so these are the events of exactly those two writes; every other write of a job still
-- stores its own event.

CREATE TRIGGER jobs_started_event AFTER UPDATE OF status ON jobs
WHEN OLD.status = 'pending' AND NEW.status = 'running'
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  VALUES (NEW.id, NEW.started_at, 'started', NEW.status, NEW.progress, NEW.stage, NEW.message,
    NEW.attempt, NEW.worker_id, NULL);
END;

CREATE TRIGGER jobs_completed_event AFTER UPDATE OF status ON jobs
WHEN OLD.status = 'running' AND NEW.status = 'completed'
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  VALUES (NEW.id, NEW.completed_at, 'completed', NEW.status, NEW.progress, NEW.stage, NEW.message,
    NEW.attempt, NEW.worker_id, NULL);
END;
