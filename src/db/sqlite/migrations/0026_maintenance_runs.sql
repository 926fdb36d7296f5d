-- Scheduled maintenance (cleanup, video retention) runs on ONE node per interval, whatever the
-- number of nodes: a node runs it only when it moves `last_run_at` forward in one conditional upsert,
-- which the database serialises, so the others see the run and skip it. Milliseconds since the
-- epoch, the database clock; `node` is the worker/server id that ran it last (for operators).
CREATE TABLE maintenance_runs (
  name TEXT PRIMARY KEY NOT NULL,
  last_run_at INTEGER NOT NULL,
  node TEXT NOT NULL
) STRICT;
