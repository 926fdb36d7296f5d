/** Scheduled maintenance: the one-node-per-interval run claim and video retention (SQLite). */
import { IS_FINISHED } from '../../status-predicates.js';
import { NOW } from './jobs-sql.js';

/** Kinds of artifact a render stores: video retention deletes them, the job row stays. */
const VIDEO_KINDS = `('video', 'thumbnail', 'captions')`;

export const maintenanceSql = {
  /** @name, @node, @intervalMs: returns a row only when this call takes the interval's run. */
  claimRun: `
    INSERT INTO maintenance_runs (name, last_run_at, node) VALUES (@name, ${NOW}, @node)
    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at, node = excluded.node
      WHERE maintenance_runs.last_run_at <= excluded.last_run_at - CAST(@intervalMs AS INTEGER)
    RETURNING name`,

  /** @id, @userId or NULL: deletes the job when finished; its events and artifacts cascade. */
  deleteFinishedJob: `
    DELETE FROM jobs WHERE id = @id AND ${IS_FINISHED} AND (@userId IS NULL OR user_id = @userId)
    RETURNING id`,

  /** @maxAgeMs: marks completed jobs older than that which still have a video; returns their ids. */
  markVideosExpired: `
    UPDATE jobs SET result = json_set(coalesce(result, '{}'), '$.video_expired', json('true'),
        '$.video_expired_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    WHERE status = 'completed' AND completed_at < ${NOW} - CAST(@maxAgeMs AS INTEGER)
      AND EXISTS (SELECT 1 FROM artifacts a WHERE a.job_id = jobs.id AND a.kind IN ${VIDEO_KINDS})
    RETURNING id`,
  /** @ids a JSON array of job ids: deletes their videos, thumbnails and captions (their chunks cascade). */
  deleteVideos: `
    DELETE FROM artifacts WHERE kind IN ${VIDEO_KINDS} AND job_id IN (SELECT value FROM json_each(@ids))`,
} as const;
