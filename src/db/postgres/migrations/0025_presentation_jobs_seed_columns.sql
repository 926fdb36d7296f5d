-- The presentation_jobs view gets every column of seed 000 beside those of seed 003, with the seeds'
-- meanings (docs/sql-view.md is the stable read interface); and reelqueue_queue_positions, below.
--   job_id             seed 000's key: the job's id, a uuid as `id` is (so `WHERE job_id = $1` uses the
--                      primary key);
--   error              seed 000's error text: the job's error_message;
--   progress_fraction  seed 000's 0.0-1.0 progress, beside seed 003's `progress` (0-100), which stays:
--                      the two seeds use the same name for different scales, so the fraction has its own;
--   slide_image_path   the first slide's image (the thumbnail, stored with the job) once the job is
--                      completed, unless the job's result names one;
--   created_files      the files the render produced (a JSON array of their URLs) once the job is
--                      completed, unless the job's result lists them.
-- A view holds no data: dropping and creating it again loses nothing.

DROP VIEW presentation_jobs;

CREATE VIEW presentation_jobs AS
SELECT
  j.id,
  j.lesson_id,
  j.user_id,
  j.status,
  CASE j.priority WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END AS priority,
  j.progress,
  j.message,
  j.created_at,
  j.started_at,
  j.completed_at,
  j.timeout_seconds,
  j.result ->> 'presentation_id' AS presentation_id,
  (j.result ->> 'slide_count')::integer AS slide_count,
  j.result AS result_data,
  j.retry_count,
  j.max_retries,
  j.error_code,
  j.error_message,
  j.error_details,
  coalesce(j.payload ->> 'style', 'default') AS style,
  coalesce((j.payload ->> 'use_llm_polish')::boolean, false) AS use_llm_polish,
  j.worker_id,
  CASE WHEN j.status = 'pending' THEN (
    SELECT count(*) FROM jobs AS ahead
    WHERE ahead.status = 'pending'
      AND (ahead.priority > j.priority
        OR (ahead.priority = j.priority AND (ahead.run_at, ahead.id) < (j.run_at, j.id)))
  ) END AS queue_position,
  j.processing_time_seconds,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id END AS video_url,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id || '/thumbnail' END AS thumbnail_url,
  coalesce(
    j.result ->> 'slide_image_path',
    CASE WHEN j.status = 'completed' AND EXISTS (
      SELECT 1 FROM artifacts AS a WHERE a.job_id = j.id AND a.kind = 'thumbnail' AND a.complete
    ) THEN '/api/videos/' || j.id || '/thumbnail' END
  ) AS slide_image_path,
  j.last_heartbeat,
  coalesce(
    j.result -> 'created_files',
    CASE WHEN j.status = 'completed' THEN (
      SELECT jsonb_agg(
        CASE a.kind WHEN 'video' THEN '/api/videos/' || j.id ELSE '/api/videos/' || j.id || '/thumbnail' END
        ORDER BY a.kind DESC)
      FROM artifacts AS a
      WHERE a.job_id = j.id AND a.kind IN ('video', 'thumbnail') AND a.complete
    ) END,
    '[]'::jsonb
  ) AS created_files,
  j.id AS job_id,
  j.error_message AS error,
  (j.progress / 100.0)::double precision AS progress_fraction
FROM jobs AS j
WHERE j.kind = 'presentation';

-- The queue positions of a listing's page ($1: its jobs; the pending ones come back with the number
-- of pending jobs claimed before each). One walk of jobs_claim_idx in claim order numbers the
-- pending jobs: counting ahead of each job apart (reelqueue_jobs_ahead) read the front of the queue
-- once per job. With sorts, sequential and bitmap scans off, as in reelqueue_jobs_ahead (0014), the
-- index gives the order whatever the statistics: without them the planner sorted every pending job.
CREATE FUNCTION reelqueue_queue_positions(job_ids uuid[])
RETURNS TABLE (job_id uuid, jobs_ahead bigint)
LANGUAGE sql STABLE
SET search_path FROM CURRENT
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_sort = off
AS $$
  SELECT ranked.id, ranked.ahead FROM (
    SELECT id, row_number() OVER (ORDER BY priority DESC, run_at, id) - 1 AS ahead
    FROM jobs WHERE status = 'pending'
  ) AS ranked
  WHERE ranked.id = ANY(job_ids)
$$;
