/**
 * The time-series statements of both dialects as they were before each part read its own index
 * range (they scanned every job): the references their replacements must answer exactly like. Kept
 * verbatim for that test.
 */
/** `time` rounded down to its bucket. */
const bucketOf = (time: string) => `(${time} / b.bucket_ms) * b.bucket_ms`;
const owner = `(@userId IS NULL OR j.user_id = @userId)`;

/** Nearest rank (as `percentileIndex` and PostgreSQL's percentile_disc): row ceil(p·n), 1-based. */
const rank = (percent: number) => `max(CASE WHEN rn = (${percent} * n + 99) / 100 THEN v END)`;

/** The statement as it was before it read indexes (a scan of every job), the reference. */
export const scanningTimeSeriesSql = {
  series: `
    WITH RECURSIVE
      b(start_ms, end_ms, bucket_ms) AS (
        SELECT ((now_ms - CAST(@windowMs AS INTEGER)) / CAST(@bucketMs AS INTEGER)) * CAST(@bucketMs AS INTEGER),
          now_ms, CAST(@bucketMs AS INTEGER)
        FROM (SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now_ms)),
      buckets(at) AS (
        SELECT start_ms FROM b
        UNION ALL SELECT at + b.bucket_ms FROM buckets, b WHERE at + b.bucket_ms <= b.end_ms),
      created AS (
        SELECT ${bucketOf('j.created_at')} AS at, count(*) AS n
        FROM jobs AS j, b WHERE j.created_at >= b.start_ms AND ${owner} GROUP BY 1),
      finished AS (
        SELECT ${bucketOf('j.completed_at')} AS at,
          sum(j.status = 'completed') AS completed, sum(j.status IN ('failed', 'timeout')) AS failed
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_ms AND j.status IN ('completed', 'failed', 'timeout') AND ${owner}
        GROUP BY 1),
      -- Every job that waited at some time in the window: still waiting or running, or finished in it.
      waited AS (
        SELECT j.created_at, coalesce(j.started_at, j.completed_at) AS left_at
        FROM jobs AS j, b
        WHERE (j.status IN ('pending', 'running') OR j.completed_at >= b.start_ms) AND ${owner}),
      waiting_at_start AS (
        SELECT count(*) AS n FROM waited, b
        WHERE created_at < b.start_ms AND (left_at IS NULL OR left_at >= b.start_ms)),
      departed AS (
        SELECT ${bucketOf('left_at')} AS at, count(*) AS n FROM waited, b
        WHERE left_at >= b.start_ms GROUP BY 1),
      timed AS (
        SELECT ${bucketOf('j.completed_at')} AS at, j.processing_time_seconds AS v,
          row_number() OVER (PARTITION BY j.completed_at / b.bucket_ms ORDER BY j.processing_time_seconds) AS rn,
          count(*) OVER (PARTITION BY j.completed_at / b.bucket_ms) AS n
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_ms AND j.status = 'completed'
          AND j.processing_time_seconds IS NOT NULL AND ${owner}),
      percentiles AS (
        SELECT at, max(n) AS n, ${rank(50)} AS p50, ${rank(95)} AS p95, ${rank(99)} AS p99
        FROM timed GROUP BY at)
    SELECT buckets.at AS start,
      coalesce(c.n, 0) AS created,
      coalesce(f.completed, 0) AS completed,
      coalesce(f.failed, 0) AS failed,
      w.n + sum(coalesce(c.n, 0) - coalesce(d.n, 0)) OVER (ORDER BY buckets.at) AS queue_depth,
      coalesce(p.n, 0) AS timed, p.p50, p.p95, p.p99
    FROM buckets
      CROSS JOIN waiting_at_start AS w
      LEFT JOIN created AS c ON c.at = buckets.at
      LEFT JOIN finished AS f ON f.at = buckets.at
      LEFT JOIN departed AS d ON d.at = buckets.at
      LEFT JOIN percentiles AS p ON p.at = buckets.at
    ORDER BY buckets.at`,
} as const;

/** PostgreSQL's `time` rounded down to its bucket (the former statement). */
const pgBucketOf = (time: string) =>
  `to_timestamp(floor(extract(epoch FROM ${time}) / $2::integer) * $2::integer)`;
const pgOwner = `($3::text IS NULL OR j.user_id = $3)`;
const pgPercentile = (p: number) => `percentile_disc(${p}) WITHIN GROUP (ORDER BY j.processing_time_seconds)`;

/** PostgreSQL's statement as it was before it read indexes (its `waited` read every job). */
export const scanningPostgresTimeSeriesSql = {
  series: `
    WITH b AS (
        SELECT to_timestamp(
            floor((extract(epoch FROM now()) - $1::double precision * 3600) / $2::integer) * $2::integer
          ) AS start_at, now() AS end_at),
      buckets AS (
        SELECT generate_series(b.start_at, b.end_at, make_interval(secs => $2::integer)) AS at FROM b),
      created AS (
        SELECT ${pgBucketOf('j.created_at')} AS at, count(*) AS n
        FROM jobs AS j, b WHERE j.created_at >= b.start_at AND ${pgOwner} GROUP BY 1),
      finished AS (
        SELECT ${pgBucketOf('j.completed_at')} AS at,
          count(*) FILTER (WHERE j.status = 'completed') AS completed,
          count(*) FILTER (WHERE j.status IN ('failed', 'timeout')) AS failed
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_at AND j.status IN ('completed', 'failed', 'timeout') AND ${pgOwner}
        GROUP BY 1),
      -- Every job that waited at some time in the window: still waiting or running, or finished in it.
      waited AS (
        SELECT j.created_at, coalesce(j.started_at, j.completed_at) AS left_at
        FROM jobs AS j, b
        WHERE (j.status IN ('pending', 'running') OR j.completed_at >= b.start_at) AND ${pgOwner}),
      waiting_at_start AS (
        SELECT count(*) AS n FROM waited, b
        WHERE created_at < b.start_at AND (left_at IS NULL OR left_at >= b.start_at)),
      departed AS (
        SELECT ${pgBucketOf('left_at')} AS at, count(*) AS n FROM waited, b
        WHERE left_at >= b.start_at GROUP BY 1),
      percentiles AS (
        SELECT ${pgBucketOf('j.completed_at')} AS at, count(*) AS n,
          ${pgPercentile(0.5)} AS p50, ${pgPercentile(0.95)} AS p95, ${pgPercentile(0.99)} AS p99
        FROM jobs AS j, b
        WHERE j.completed_at >= b.start_at AND j.status = 'completed'
          AND j.processing_time_seconds IS NOT NULL AND ${pgOwner}
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
