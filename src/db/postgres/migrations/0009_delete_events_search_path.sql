-- The trigger that deletes a job's events with the job (migration 0007) named job_events without its
-- schema, so a DELETE from a session whose search_path does not hold reelqueue's schema (an
-- operator's psql, `DELETE FROM reelqueue.jobs …`) failed with "relation job_events does not
-- exist". The function now runs with the schema it was created in, as the others do. It runs once
-- per DELETE statement, so the setting costs nothing per row.
ALTER FUNCTION reelqueue_delete_job_events() SET search_path FROM CURRENT;
