/**
 * The PostgreSQL statement of `JobStore.timeSeries` (src/jobs/time-series.ts), kept apart from the
 * statistics statements so it can be re-pointed at rollup tables. A bucket is the time rounded down
 * to a multiple of the bucket's seconds since the epoch (UTC-aligned minutes and hours, whatever the
 * session's time zone). Parameters: $1 window hours, $2 bucket seconds, $3 owner (NULL: everyone's).
 */

/** `time` rounded down to its bucket. */
const bucketOf = (time: string) =>
  `to_timestamp(floor(extract(epoch FROM ${time}) / $2::integer) * $2::integer)`;
const owner = `($3::text IS NULL OR j.user_id = $3)`;

const percentile = (p: number) => `percentile_disc(${p}) WITHIN GROUP (ORDER BY j.processing_time_seconds)`;

export const timeSeriesSql = {
  series: `
    WITH b AS (
        SELECT to_timestamp(
            floor((extract(epoch FROM now()) - $1::double precision * 3600) / $2::integer) * $2::integer
          ) AS start_at, now() AS end_at),
      buckets AS (
        SELECT generate_series(b.start_at, b.end_at, make_interval(secs => $2::integer)) AS at FROM b),
      created AS (
        SELECT ${bucketOf('j.created_at')} AS at, count(*) AS n
        FROM jobs AS j, b WHERE j.created_at >= b.start_at AND ${owner} GROUP BY 1),
      finished AS (
        SELECT ${bucketOf('j.completed_at')} AS at,
          count(*) FILTER (WHERE j.status = 'completed') AS completed,
          count(*) FILTER (WHERE j.status IN ('failed', 'timeout')) AS failed
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_at AND j.status IN ('completed', 'failed', 'timeout') AND ${owner}
        GROUP BY 1),
      -- Every job that waited at some time in the window: still waiting or running, or finished in it.
      waited AS (
        SELECT j.created_at, coalesce(j.started_at, j.completed_at) AS left_at
        FROM jobs AS j, b
        WHERE (j.status IN ('pending', 'running') OR j.completed_at >= b.start_at) AND ${owner}),
      waiting_at_start AS (
        SELECT count(*) AS n FROM waited, b
        WHERE created_at < b.start_at AND (left_at IS NULL OR left_at >= b.start_at)),
      departed AS (
        SELECT ${bucketOf('left_at')} AS at, count(*) AS n FROM waited, b
        WHERE left_at >= b.start_at GROUP BY 1),
      percentiles AS (
        SELECT ${bucketOf('j.completed_at')} AS at, count(*) AS n,
          ${percentile(0.5)} AS p50, ${percentile(0.95)} AS p95, ${percentile(0.99)} AS p99
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_at AND j.status = 'completed'
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
