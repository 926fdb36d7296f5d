-- Listings that stay flat as the table grows (issue 23). A listing reads jobs newest first,
-- (created_at DESC, id DESC), from a cursor; each filter gets an index in that order with the id as
-- tie-breaker, so a page reads its own rows from the cursor on and never sorts:
-- * pending jobs: (created_at, id), read backwards. Without the id a page sorted every job created in
--   the same millisecond, and an enqueue of many jobs (`--count`) gives them one created_at: 350–615 ms
--   a page at 200,000 jobs. A count of pending jobs still reads this index alone.
-- * finished jobs of one status (completed, failed, cancelled, timeout): a job enters it when it
--   finishes (the completion writes jobs_finished_idx's entry then too) and leaves it when retried by
--   hand or removed. A listing of completed jobs walked jobs_created_idx, past every newer pending or
--   running job; one of a status with fewer jobs than a page walked the whole table.
-- * one kind: (kind, created_at, id) of every job, written by the enqueue, never by a claim or a
--   completion (the kind does not change). A kind with fewer jobs than a page walked the whole table.
-- Running jobs are listed from jobs_lease_idx and sorted: they are as many as the workers' slots.
-- jobs_unsuccessful_created_idx stays for listings of several unsuccessful statuses at once.
DROP INDEX jobs_pending_created_idx;
CREATE INDEX jobs_pending_created_idx ON jobs (created_at, id) WHERE status = 'pending';
CREATE INDEX jobs_finished_status_created_idx ON jobs (status, created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';
CREATE INDEX jobs_kind_created_idx ON jobs (kind, created_at DESC, id DESC);
