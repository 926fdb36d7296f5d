/** Scheduled maintenance: the one-node-per-interval run claim and video retention (PostgreSQL). */
import { IS_FINISHED } from '../../status-predicates.js';

/** Kinds of artifact a render stores: video retention deletes them, the job row stays. */
const VIDEO_KINDS = `('video', 'thumbnail', 'captions')`;

export const maintenanceSql = {
  /**
   * $1 name, $2 node, $3 interval in seconds: returns a row only when this call takes the interval's
   * run (ON CONFLICT DO UPDATE locks the row and re-checks WHERE on its newest version).
   */
  claimRun: `
    INSERT INTO maintenance_runs AS runs (name, last_run_at, node) VALUES ($1, clock_timestamp(), $2)
    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at, node = excluded.node
      WHERE runs.last_run_at <= excluded.last_run_at - make_interval(secs => $3::double precision)
    RETURNING name`,

  /** $1 id, $2 user id or NULL: deletes the job when finished; its events and artifacts cascade. */
  deleteFinishedJob: `
    DELETE FROM jobs WHERE id = $1 AND ${IS_FINISHED} AND ($2::text IS NULL OR user_id = $2) RETURNING id`,

  /**
   * $1 max age in hours: marks completed jobs older than that which still have a video, and deletes
   * their videos and thumbnails (chunks cascade) in one statement; returns one row per job.
   */
  expireVideos: `
    WITH expired AS (
      UPDATE jobs SET result = coalesce(result, '{}'::jsonb) || jsonb_build_object(
          'video_expired', true,
          'video_expired_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      WHERE status = 'completed' AND completed_at < now() - make_interval(secs => $1::double precision * 3600)
        AND EXISTS (SELECT 1 FROM artifacts a WHERE a.job_id = jobs.id AND a.kind IN ${VIDEO_KINDS})
      RETURNING id
    ), deleted AS (
      DELETE FROM artifacts WHERE kind IN ${VIDEO_KINDS} AND job_id IN (SELECT id FROM expired)
    )
    SELECT id FROM expired`,
} as const;
