-- Listings that stay flat as the table grows (issue 23). A listing reads jobs newest first,
-- (created_at DESC, id DESC), from a cursor; each filter gets an index in that order with the id as
-- tie-breaker, so a page reads its own rows from the cursor on and never sorts (the same indexes as
-- SQLite's migration 0031; jobs_pending_created_idx already had the id here):
-- * finished jobs of one status (completed, failed, cancelled, timeout): a job's row version enters
--   it when it finishes (the completion writes jobs_finished_idx's entry then too). A listing of
--   completed jobs walked jobs_created_idx, past every newer pending or running job; one of a status
--   with fewer jobs than a page walked the whole table.
-- * one kind: (kind, created_at, id) of every job. A kind with fewer jobs than a page walked the
--   whole table. Every non-HOT update (claim, heartbeat, completion) writes an entry into it, as into
--   jobs_created_idx: the price of a flat listing by kind.
-- Running jobs are listed from jobs_lease_idx and sorted: they are as many as the workers' slots.
-- jobs_unsuccessful_created_idx stays for listings of several unsuccessful statuses at once.
CREATE INDEX jobs_finished_status_created_idx ON jobs (status, created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';
CREATE INDEX jobs_kind_created_idx ON jobs (kind, created_at DESC, id DESC);
