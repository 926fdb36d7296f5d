-- Recurring jobs (issue 24): a schedule queues a job of `kind` with `payload` at each tick of `cron`
-- read in `time_zone`. `next_run_at` is the next tick to queue (NULL while disabled): a scheduler
-- queues a tick's jobs and moves `next_run_at` on in one BEGIN IMMEDIATE transaction guarded by
-- `next_run_at = <the tick it read>`, so one process wins each tick whatever the number of
-- schedulers. The jobs also carry an idempotency key per (schedule, tick), unique by
-- jobs_idempotency_idx. Times in milliseconds since the epoch.
CREATE TABLE schedules (
  name TEXT PRIMARY KEY NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  catch_up TEXT NOT NULL CHECK (catch_up IN ('skip', 'last', 'all')),
  catch_up_limit INTEGER NOT NULL CHECK (catch_up_limit BETWEEN 1 AND 1000),
  next_run_at INTEGER,
  last_run_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (enabled = (next_run_at IS NOT NULL))
) STRICT;

-- What the schedulers ask on every wake-up: the enabled schedules due first.
CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE enabled = 1;
