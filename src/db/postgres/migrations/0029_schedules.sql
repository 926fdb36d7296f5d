-- Recurring jobs (issue 24): a schedule queues a job of `kind` with `payload` at each tick of `cron`
-- read in `time_zone`. `next_run_at` is the next tick to queue (NULL while disabled): a scheduler
-- queues a tick's jobs and moves `next_run_at` on in one transaction guarded by
-- `next_run_at = <the tick it read>`, so one node wins each tick whatever the number of schedulers.
-- The jobs also carry an idempotency key per (schedule, tick), unique by jobs_idempotency_idx.
CREATE TABLE schedules (
  name text PRIMARY KEY,
  cron text NOT NULL,
  time_zone text NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 3),
  enabled boolean NOT NULL,
  catch_up text NOT NULL CHECK (catch_up IN ('skip', 'last', 'all')),
  catch_up_limit integer NOT NULL CHECK (catch_up_limit BETWEEN 1 AND 1000),
  next_run_at timestamptz,
  last_run_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (enabled = (next_run_at IS NOT NULL))
);

-- What the schedulers ask on every wake-up: the enabled schedules due first.
CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE enabled;
