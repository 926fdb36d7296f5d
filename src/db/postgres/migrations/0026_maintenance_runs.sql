-- Scheduled maintenance (cleanup, video retention) runs on ONE node per interval, whatever the
-- number of nodes: a node runs it only when it moves `last_run_at` forward in one conditional upsert
-- (ON CONFLICT DO UPDATE ... WHERE re-checks the row it locked), so the others see the run and skip
-- it. `node` is the worker/server id that ran it last (for operators).
CREATE TABLE maintenance_runs (
  name text PRIMARY KEY,
  last_run_at timestamptz NOT NULL,
  node text NOT NULL
);
