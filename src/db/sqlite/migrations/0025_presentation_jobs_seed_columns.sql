-- The presentation_jobs view gets every column of seed 000 beside those of seed 003, with the seeds'
-- meanings (docs/sql-view.md is the stable read interface):
--   job_id             seed 000's key: the job's id (`SELECT * FROM presentation_jobs WHERE job_id = ?`);
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
  strftime('%Y-%m-%dT%H:%M:%fZ', j.created_at / 1000.0, 'unixepoch') AS created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.started_at / 1000.0, 'unixepoch') AS started_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.completed_at / 1000.0, 'unixepoch') AS completed_at,
  j.timeout_seconds,
  json_extract(j.result, '$.presentation_id') AS presentation_id,
  json_extract(j.result, '$.slide_count') AS slide_count,
  j.result AS result_data,
  j.retry_count,
  j.max_retries,
  j.error_code,
  j.error_message,
  j.error_details,
  coalesce(json_extract(j.payload, '$.style'), 'default') AS style,
  coalesce(json_extract(j.payload, '$.use_llm_polish'), 0) AS use_llm_polish,
  j.worker_id,
  CASE WHEN j.status = 'pending' THEN (
    SELECT count(*) FROM jobs AS ahead
    WHERE ahead.status = 'pending'
      AND (ahead.priority > j.priority
        OR (ahead.priority = j.priority AND (ahead.run_at < j.run_at
          OR (ahead.run_at = j.run_at AND ahead.id < j.id))))
  ) END AS queue_position,
  j.processing_time_seconds,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id END AS video_url,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id || '/thumbnail' END AS thumbnail_url,
  coalesce(
    json_extract(j.result, '$.slide_image_path'),
    CASE WHEN j.status = 'completed' AND EXISTS (
      SELECT 1 FROM artifacts AS a WHERE a.job_id = j.id AND a.kind = 'thumbnail' AND a.complete = 1
    ) THEN '/api/videos/' || j.id || '/thumbnail' END
  ) AS slide_image_path,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.last_heartbeat / 1000.0, 'unixepoch') AS last_heartbeat,
  coalesce(
    json_extract(j.result, '$.created_files'),
    CASE WHEN j.status = 'completed' THEN (
      SELECT json_group_array(
        CASE a.kind WHEN 'video' THEN '/api/videos/' || j.id ELSE '/api/videos/' || j.id || '/thumbnail' END
        ORDER BY a.kind DESC)
      FROM artifacts AS a
      WHERE a.job_id = j.id AND a.kind IN ('video', 'thumbnail') AND a.complete = 1
    ) END,
    '[]'
  ) AS created_files,
  j.id AS job_id,
  j.error_message AS error,
  j.progress / 100.0 AS progress_fraction
FROM jobs AS j
WHERE j.kind = 'presentation';
