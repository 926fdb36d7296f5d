/**
 * The PostgreSQL statements of the statistics rollups (migration 0028): the fold that moves the
 * deltas into the rollup tables, the rebuild, and the reads. Spans: 60,000 ms (minute), 3,600,000 ms
 * (hour), 86,400,000 ms (UTC day) and, for the counts only, 0 (all time, bucket 0). Times are epoch ms.
 */

import { IS_PENDING } from '../../status-predicates.js';

/** Advisory lock class of the fold (key: the schema), so one node folds a schema's deltas at a time. */
const ROLLUP_LOCK_CLASS = 0x726f6c6c;
const ROLLUP_LOCK = `${ROLLUP_LOCK_CLASS}, hashtext(current_schema())`;

const bucketOf = (span: string, bucket: string) =>
  `CASE WHEN ${span} = 0 THEN 0 ELSE ${bucket} - ${bucket} % ${span} END`;

/**
 * The rows of one window: the minutes in [$1, $2), the hours in [$2, $3), the days from $3, and the
 * deltas not folded yet.
 */
const windowRows = (table: string, columns: string, deltaColumns: string) => `
  SELECT ${columns} FROM ${table} WHERE span_ms = 60000 AND bucket_ms >= $1 AND bucket_ms < $2
  UNION ALL
  SELECT ${columns} FROM ${table} WHERE span_ms = 3600000 AND bucket_ms >= $2 AND bucket_ms < $3
  UNION ALL
  SELECT ${columns} FROM ${table} WHERE span_ms = 86400000 AND bucket_ms >= $3
  UNION ALL
  SELECT ${deltaColumns} FROM job_rollup_deltas WHERE bucket_ms >= $1`;

const EDGE = `created_at >= to_timestamp($1::double precision / 1000) AND created_at < to_timestamp($2::double precision / 1000)`;

const asJson = (query: string) => `(SELECT coalesce(json_agg(r), '[]') FROM (${query}) r)`;
const shifted = (query: string) => query.replace(/\$1/g, '$4').replace(/\$2/g, '$5');

export const rollupsSql = {
  now: `SELECT floor(extract(epoch FROM now()) * 1000)::float8 AS now`,

  /** How many deltas wait for a fold (about: identities are not gapless). */
  backlog: `SELECT coalesce(max(id) - min(id) + 1, 0)::float8 AS backlog FROM job_rollup_deltas`,
  tryFoldLock: `SELECT pg_try_advisory_xact_lock(${ROLLUP_LOCK}) AS locked`,
  /** The fold's lock, waited for, held to the rebuild's commit (transaction-scoped: a pooler may not
   * give the next statement outside this transaction the same server session). */
  rebuildLock: `SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`,
  /**
   * Moves the oldest $1 deltas into the rollups in one statement (so in one snapshot) and returns
   * how many; the deltas of transactions not committed yet wait for the next fold.
   */
  fold: `
    WITH moved AS (
      DELETE FROM job_rollup_deltas
      WHERE id IN (SELECT id FROM job_rollup_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change
    ), grouped AS (
      SELECT bucket_ms, kind, status, priority, retried, error_code, duration_bucket,
        sum(seconds) AS seconds, sum(change) AS change
      FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), counts AS (
      INSERT INTO job_count_rollups AS r (span_ms, bucket_ms, kind, status, priority, retried, jobs)
      SELECT s.span_ms, ${bucketOf('s.span_ms', 'm.bucket_ms')}, m.kind, m.status, m.priority, m.retried,
        sum(m.change)
      FROM grouped m CROSS JOIN (VALUES (0::bigint), (60000::bigint), (3600000::bigint), (86400000::bigint)) s (span_ms)
      GROUP BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (span_ms, bucket_ms, kind, status, priority, retried)
      DO UPDATE SET jobs = r.jobs + excluded.jobs
    ), errors AS (
      INSERT INTO job_error_rollups AS r (span_ms, bucket_ms, error_code, jobs)
      SELECT s.span_ms, ${bucketOf('s.span_ms', 'm.bucket_ms')}, m.error_code, sum(m.change)
      FROM grouped m CROSS JOIN (VALUES (60000::bigint), (3600000::bigint), (86400000::bigint)) s (span_ms)
      WHERE m.error_code IS NOT NULL
      GROUP BY 1, 2, 3
      ON CONFLICT (span_ms, bucket_ms, error_code) DO UPDATE SET jobs = r.jobs + excluded.jobs
    ), durations AS (
      INSERT INTO job_duration_rollups AS r (span_ms, bucket_ms, duration_bucket, jobs, seconds)
      SELECT s.span_ms, ${bucketOf('s.span_ms', 'm.bucket_ms')}, m.duration_bucket, sum(m.change),
        coalesce(sum(m.seconds), 0)
      FROM grouped m CROSS JOIN (VALUES (60000::bigint), (3600000::bigint), (86400000::bigint)) s (span_ms)
      WHERE m.duration_bucket IS NOT NULL
      GROUP BY 1, 2, 3
      ON CONFLICT (span_ms, bucket_ms, duration_bucket)
      DO UPDATE SET jobs = r.jobs + excluded.jobs, seconds = r.seconds + excluded.seconds
    )
    SELECT count(*)::int AS moved FROM moved`,

  /** A rebuild (in a REPEATABLE READ transaction): everything counted again from `jobs`, as deltas. */
  rebuildClear: [
    'DELETE FROM job_count_rollups',
    'DELETE FROM job_error_rollups',
    'DELETE FROM job_duration_rollups',
    'DELETE FROM job_rollup_deltas',
  ],
  rebuildDeltas: `
    INSERT INTO job_rollup_deltas
      (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
    SELECT reelqueue_minute_ms(created_at), kind, status, priority, retry_count > 0,
      CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END,
      CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
        THEN reelqueue_duration_bucket(processing_time_seconds) END,
      sum(processing_time_seconds) FILTER (WHERE status = 'completed'),
      count(*)
    FROM jobs
    GROUP BY 1, 2, 3, 4, 5, 6, 7`,

  /** Jobs by status of all time. */
  allTimeCounts: `
    SELECT status, sum(jobs)::float8 AS jobs FROM (
      SELECT status, jobs FROM job_count_rollups WHERE span_ms = 0
      UNION ALL
      SELECT status, change FROM job_rollup_deltas
    ) t GROUP BY status`,
  windowCounts: `
    SELECT status, priority, retried, sum(jobs)::float8 AS jobs FROM (${windowRows(
      'job_count_rollups',
      'status, priority, retried, jobs',
      'status, priority, retried, change',
    )}) t GROUP BY status, priority, retried`,
  windowErrors: `
    SELECT error_code, sum(jobs)::float8 AS jobs FROM (${windowRows(
      'job_error_rollups',
      'error_code, jobs',
      'error_code, change',
    )}) t WHERE error_code IS NOT NULL GROUP BY error_code`,
  windowDurations: `
    SELECT duration_bucket, sum(jobs)::float8 AS jobs, coalesce(sum(seconds), 0) AS seconds FROM (${windowRows(
      'job_duration_rollups',
      'duration_bucket, jobs, seconds',
      'duration_bucket, change, seconds',
    )}) t WHERE duration_bucket IS NOT NULL GROUP BY duration_bucket`,

  /** The same figures counted from the jobs created in [$1, $2) (epoch ms): a window's part minute. */
  edgeCounts: `
    SELECT status, priority, retry_count > 0 AS retried, count(*)::float8 AS jobs FROM jobs WHERE ${EDGE}
    GROUP BY 1, 2, 3`,
  edgeErrors: `
    SELECT error_code, count(*)::float8 AS jobs FROM jobs
    WHERE ${EDGE} AND error_code IS NOT NULL AND status IN ('failed', 'timeout', 'cancelled')
    GROUP BY error_code`,
  edgeDurations: `
    SELECT reelqueue_duration_bucket(processing_time_seconds) AS duration_bucket, count(*)::float8 AS jobs,
      coalesce(sum(processing_time_seconds), 0) AS seconds
    FROM jobs WHERE ${EDGE} AND status = 'completed' AND processing_time_seconds IS NOT NULL
    GROUP BY 1`,
  /** The processing times of the completed jobs created since $1 (epoch ms), when few enough to read. */
  exactDurations: `
    SELECT processing_time_seconds AS seconds FROM jobs
    WHERE created_at >= to_timestamp($1::double precision / 1000) AND status = 'completed'
      AND processing_time_seconds IS NOT NULL
    ORDER BY processing_time_seconds`,
};

/**
 * A window's figures in one statement (one snapshot, one round trip): the rollup rows of the
 * minutes [$1, $2), the hours [$2, $3) and the days from $3 with the deltas not folded yet, the rows
 * of the jobs created in [$4, $5) (the edge; an empty range when there is none), and the oldest
 * pending job's age. `$6`: false reads the counts only (health).
 */
export const windowFiguresSql = `
  SELECT ${asJson(rollupsSql.windowCounts)} AS counts,
    CASE WHEN $6::boolean THEN ${asJson(rollupsSql.windowErrors)} ELSE '[]' END AS errors,
    CASE WHEN $6::boolean THEN ${asJson(rollupsSql.windowDurations)} ELSE '[]' END AS durations,
    ${asJson(shifted(rollupsSql.edgeCounts))} AS edge_counts,
    CASE WHEN $6::boolean THEN ${asJson(shifted(rollupsSql.edgeErrors))} ELSE '[]' END AS edge_errors,
    CASE WHEN $6::boolean THEN ${asJson(shifted(rollupsSql.edgeDurations))} ELSE '[]' END AS edge_durations,
    (SELECT extract(epoch FROM now() - min(created_at)) * 1000 FROM jobs WHERE ${IS_PENDING})::float8 AS oldest_pending_ms`;
