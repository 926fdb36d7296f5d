-- A pending job's queue position, for status reads: the pending jobs ahead of each of `job_ids`
-- (NULL for a job that is not pending),
-- counted in three ranges of jobs_claim_idx (priority DESC, run_at, id) that end at the job: those
-- of a higher priority; of the same priority, due earlier; due at the same time with a lower id (as
-- in a batch, added in one millisecond). The work is the number of jobs ahead, not the backlog.
-- The status read used one count with an OR, which read every pending job for every read: 2.5 ms
-- of server time a read with 20,000 jobs queued, even for the next job to run. Written as three
-- correlated counts in plain SQL, the planner still read the table for each (it cannot know that
-- the jobs asked about are near the front, and guesses a third of the table for `priority >`), so
-- the counts run here, read in the claim order with sorts, sequential and bitmap scans off, as the
-- claim's candidates are (0008): jobs_claim_idx is then the only plan, statistics or none.
-- STABLE: its queries see the snapshot of the statement that calls it, as a subquery would.
CREATE FUNCTION reelqueue_jobs_ahead(job_ids uuid[])
RETURNS TABLE (job_id uuid, jobs_ahead bigint)
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_sort = off
AS $$
BEGIN
  -- Each count reads its jobs in the claim order: with sorts off, only jobs_claim_idx gives it.
  RETURN QUERY
    SELECT me.id, CASE WHEN me.status = 'pending' THEN
      (SELECT count(*) FROM (SELECT FROM jobs AS a
        WHERE a.status = 'pending' AND a.priority > me.priority
        ORDER BY a.priority DESC, a.run_at, a.id) AS higher)
      + (SELECT count(*) FROM (SELECT FROM jobs AS a
          WHERE a.status = 'pending' AND a.priority = me.priority AND a.run_at < me.run_at
          ORDER BY a.priority DESC, a.run_at, a.id) AS earlier)
      + (SELECT count(*) FROM (SELECT FROM jobs AS a
          WHERE a.status = 'pending' AND a.priority = me.priority AND a.run_at = me.run_at
            AND a.id < me.id
          ORDER BY a.priority DESC, a.run_at, a.id) AS same_time)
    END
    FROM jobs AS me
    -- Not `AND me.status = 'pending'`: with sequential scans off, that made it walk every pending job.
    WHERE me.id = ANY(job_ids);
END
$$;
