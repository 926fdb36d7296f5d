-- Attempts lost with their worker (killed, frozen past its lease) are counted apart from retries: a
-- worker dying is not the job's fault, so recovering an orphan no longer uses up one of its
-- retries. They have their own, larger limit (MAX_LOST_ATTEMPTS), so a job that kills every worker
-- that runs it still ends: failed, WORKER_LOST_REPEATEDLY. No table rewrite: a constant default.
ALTER TABLE jobs ADD COLUMN lost_attempts integer NOT NULL DEFAULT 0 CHECK (lost_attempts >= 0);
