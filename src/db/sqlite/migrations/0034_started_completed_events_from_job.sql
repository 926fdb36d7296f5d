-- A job's `started` and `completed` events are read from its row while the row still says what they
-- said, as PostgreSQL reads them since its migration 0017, instead of being stored by trigger
-- jobs_started_or_completed_event (migration 0016): two rows of `job_events` and two entries of
-- job_events_job_idx fewer for every job run (issue 28, goal 4; docs/benchmarks.md has the figures).
--
-- The claim reserves the `started` event's id (started_event_id) and the completion the `completed`
-- event's (completed_event_id) from the events' counter, so both keep their place among the job's
-- stored events: a progress event written after the claim has a larger id, and a stream resumed after
-- an id sees nothing twice and misses nothing. The counter is SQLite's AUTOINCREMENT counter of
-- `job_events` (its row of `sqlite_sequence`), which every stored event also takes its id above; so
-- the table is rebuilt below with AUTOINCREMENT, keeping every id. The event log (`selectEvents`)
-- reads the held events from the row: `started` at started_at, status running, the progress the
-- claim kept (`HELD_STARTED_PROGRESS`), no stage, message 'Started', the row's attempt and worker;
-- `completed` at completed_at, progress 100, the row's stage, 'Completed'.
--
-- A row says what its `started` event said until its job leaves that attempt for the queue again (a
-- retry, a release, a recovery, a manual retry, a wait for jobs it started), which clears its
-- worker: those statements set started_event_id to NULL, and trigger jobs_store_held_events stores
-- the event first, from the old row, under its reserved id. A completed job is never changed again
-- (only deleted, with its log), but the trigger keeps its `completed` event the same way should its
-- completed_event_id change.
--
-- Upgrading: stop the older worker and reaper processes first. A job they claim would get no
-- `started` event at all (the trigger that stored it is gone).

CREATE TABLE job_events_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
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
INSERT INTO job_events_rebuilt SELECT * FROM job_events;
-- Dropping a table drops its index. The triggers that write events name `job_events`; legacy
-- renaming keeps them as written, so they name the rebuilt table once it takes the name.
DROP TABLE job_events;
PRAGMA legacy_alter_table = ON;
ALTER TABLE job_events_rebuilt RENAME TO job_events;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX job_events_job_idx ON job_events (job_id, id);
-- The counter's row, so a claim can read and move it before any event is stored (SQLite adds it
-- with the first stored event otherwise; the copy above added it when there were events).
INSERT INTO sqlite_sequence (name, seq)
SELECT 'job_events', coalesce((SELECT max(id) FROM job_events), 0)
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'job_events');

ALTER TABLE jobs ADD COLUMN started_event_id INTEGER;
ALTER TABLE jobs ADD COLUMN completed_event_id INTEGER;

DROP TRIGGER jobs_started_or_completed_event;

-- UPDATE OF: statements that set neither column (heartbeats, progress, cancel requests) skip it; the
-- claim and the completion set one from NULL, which WHEN turns away. The `started` event keeps the
-- progress the row held for it (the same subquery as `HELD_STARTED_PROGRESS` in sql/jobs-sql.ts).
CREATE TRIGGER jobs_store_held_events AFTER UPDATE OF started_event_id, completed_event_id ON jobs
WHEN (OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS NOT OLD.started_event_id)
  OR (OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS NOT OLD.completed_event_id)
BEGIN
  INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT OLD.started_event_id, OLD.id, OLD.started_at, 'started', 'running',
    coalesce((SELECT CASE WHEN e.type = 'ready' OR e.type = 'waiting' THEN e.progress ELSE 0 END
      FROM job_events AS e WHERE e.job_id = OLD.id AND e.id < OLD.started_event_id
      ORDER BY e.id DESC LIMIT 1), 0),
    NULL, 'Started', OLD.attempt, OLD.worker_id, NULL
  WHERE OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS NOT OLD.started_event_id;
  INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT OLD.completed_event_id, OLD.id, OLD.completed_at, 'completed', 'completed', 100, OLD.stage,
    'Completed', OLD.attempt, OLD.worker_id, NULL
  WHERE OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS NOT OLD.completed_event_id;
END;

