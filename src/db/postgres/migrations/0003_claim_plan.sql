-- The claim's candidate query, with its plan pinned: walk jobs_claim_idx in order and stop after
-- max_jobs rows. Right after a bulk insert the planner's statistics say "few pending rows" and it
-- chose a bitmap scan that sorted every pending job on each claim (53 ms per claim at 20,000).
CREATE FUNCTION reelqueue_claim_candidates(kinds text[], max_jobs integer)
RETURNS SETOF uuid
LANGUAGE sql VOLATILE
SET search_path FROM CURRENT
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_sort = off
AS $$
  SELECT id FROM jobs
  WHERE status = 'pending' AND run_at <= now() AND kind = ANY(kinds)
  ORDER BY priority DESC, run_at, id
  LIMIT max_jobs
  FOR UPDATE SKIP LOCKED
$$;
