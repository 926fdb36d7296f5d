/**
 * The PostgreSQL statement of `JobStore.timeSeries` (src/jobs/time-series.ts), kept apart from the
 * statistics statements so it can be re-pointed at rollup tables. A bucket is the time rounded down
 * to a multiple of the bucket's seconds since the epoch (UTC-aligned minutes and hours, whatever the
 * session's time zone). Parameters: $1 window hours, $2 bucket seconds, $3 owner (NULL: everyone's).
 *
 * Each part reads its own index range, as SQLite's statement does: the jobs created since the
 * window's start (jobs_created_idx), those finished since it (jobs_finished_idx), the pending ones
 * (jobs_pending_created_idx) and the running ones (jobs_lease_idx). So its work is the jobs of the
 * window, not the table (issue 23): the former `status IN ('pending', 'running') OR completed_at >=
 * start` matched no index and read every job. The window's start is written out in each range (not
 * joined from a CTE) so the planner estimates the range from its value, not as a third of the table.
 */
import { IS_FINISHED, IS_PENDING, IS_RUNNING } from '../../status-predicates.js';

/** `time` rounded down to its bucket. */
const bucketOf = (time: string) =>
  `to_timestamp(floor(extract(epoch FROM ${time}) / $2::integer) * $2::integer)`;
const owner = `($3::text IS NULL OR j.user_id = $3)`;
/** The window's start: now less $1 hours, rounded down to its bucket. */
const START = `to_timestamp(
  floor((extract(epoch FROM now()) - $1::double precision * 3600) / $2::integer) * $2::integer)`;

const percentile = (p: number) => `percentile_disc(${p}) WITHIN GROUP (ORDER BY j.processing_time_seconds)`;

export const timeSeriesSql = {
  /** Run first in the series' transaction (see PostgresJobStore.timeSeries). */
  withoutJit: 'SET LOCAL jit = off',
  series: `
    WITH b AS (SELECT ${START} AS start_at, now() AS end_at),
      buckets AS (
        SELECT generate_series(b.start_at, b.end_at, make_interval(secs => $2::integer)) AS at FROM b),
      created AS (
        SELECT ${bucketOf('j.created_at')} AS at, count(*) AS n
        FROM jobs AS j WHERE j.created_at >= ${START} AND ${owner} GROUP BY 1),
      finished AS (
        SELECT ${bucketOf('j.completed_at')} AS at,
          count(*) FILTER (WHERE j.status = 'completed') AS completed,
          count(*) FILTER (WHERE j.status IN ('failed', 'timeout')) AS failed
        FROM jobs AS j
        WHERE j.completed_at >= ${START} AND ${IS_FINISHED} AND j.status IN ('completed', 'failed', 'timeout')
          AND ${owner}
        GROUP BY 1),
      -- Every job that waited at some time in the window: still waiting or running, or finished in it.
      -- Three parts, each a range of its own index (pending; running; finished since the start), not
      -- one OR that reads every job.
      waited AS (
        SELECT j.created_at, coalesce(j.started_at, j.completed_at) AS left_at
        FROM jobs AS j WHERE ${IS_PENDING} AND ${owner}
        UNION ALL
        SELECT j.created_at, coalesce(j.started_at, j.completed_at)
        FROM jobs AS j WHERE ${IS_RUNNING} AND ${owner}
        UNION ALL
        SELECT j.created_at, coalesce(j.started_at, j.completed_at)
        FROM jobs AS j WHERE j.completed_at >= ${START} AND ${IS_FINISHED} AND ${owner}),
      waiting_at_start AS (
        SELECT count(*) AS n FROM waited, b
        WHERE created_at < b.start_at AND (left_at IS NULL OR left_at >= b.start_at)),
      departed AS (
        SELECT ${bucketOf('left_at')} AS at, count(*) AS n FROM waited, b
        WHERE left_at >= b.start_at GROUP BY 1),
      percentiles AS (
        SELECT ${bucketOf('j.completed_at')} AS at, count(*) AS n,
          ${percentile(0.5)} AS p50, ${percentile(0.95)} AS p95, ${percentile(0.99)} AS p99
        FROM jobs AS j
        WHERE j.completed_at >= ${START} AND ${IS_FINISHED} AND j.status = 'completed'
          AND j.processing_time_seconds IS NOT NULL AND ${owner}
        GROUP BY 1)
    SELECT buckets.at AS start,
      coalesce(c.n, 0)::integer AS created,
      coalesce(f.completed, 0)::integer AS completed,
      coalesce(f.failed, 0)::integer AS failed,
      (w.n + sum(coalesce(c.n, 0) - coalesce(d.n, 0)) OVER (ORDER BY buckets.at))::integer AS queue_depth,
      coalesce(p.n, 0)::integer AS timed,
      p.p50::double precision AS p50, p.p95::double precision AS p95, p.p99::double precision AS p99
    FROM buckets
      CROSS JOIN waiting_at_start AS w
      LEFT JOIN created AS c ON c.at = buckets.at
      LEFT JOIN finished AS f ON f.at = buckets.at
      LEFT JOIN departed AS d ON d.at = buckets.at
      LEFT JOIN percentiles AS p ON p.at = buckets.at
    ORDER BY buckets.at`,
} as const;
