-- A job's attempt has a deadline (issue 24): `timeout_seconds` after the attempt's first run started.
-- The claim sets it when the job has none; `waitForJobs` keeps it, so a job that waits for jobs it
-- started (a split render and its segments) is bounded as a whole, not run by run. A new attempt (a
-- retry), a release and a recovery clear it: their next run starts a fresh one. The reaper ends a
-- waiting job whose deadline passed (`timeOutWaiting`), which jobs_waiting_deadline_idx finds.
ALTER TABLE jobs ADD COLUMN deadline_at INTEGER;
CREATE INDEX jobs_waiting_deadline_idx ON jobs (deadline_at) WHERE status = 'waiting';
