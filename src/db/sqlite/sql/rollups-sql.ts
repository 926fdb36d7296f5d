/**
 * The SQLite statements of the statistics rollups (migration 0028): the fold that moves the deltas
 * into the rollup tables, the rebuild, and the reads. Spans: 60,000 ms (minute), 3,600,000 ms (hour),
 * 86,400,000 ms (UTC day) and, for the counts only, 0 (all time, bucket 0).
 */
import { NOW } from './jobs-sql.js';
import { boundCount } from './bound-count.js';

/** A processing time's histogram bucket (src/jobs/duration-histogram.ts), of `column`. */
const durationBucket = (column: string) => `CAST(ceil(ln(max(${column}, 0.001)) / ln(1.05)) AS INTEGER)`;

const SPANS = `(SELECT 0 AS span_ms UNION ALL SELECT 60000 UNION ALL SELECT 3600000 UNION ALL SELECT 86400000)`;
const TIMED_SPANS = `(SELECT 60000 AS span_ms UNION ALL SELECT 3600000 UNION ALL SELECT 86400000)`;
const bucketOf = (span: string, bucket: string) =>
  `CASE ${span} WHEN 0 THEN 0 ELSE ${bucket} - ${bucket} % ${span} END`;

/**
 * The rows of one window: the minutes in [@minuteFrom, @hourFrom), the hours in [@hourFrom, @dayFrom),
 * the days from @dayFrom, and the deltas not folded yet.
 */
const windowRows = (table: string, columns: string, deltaColumns: string) => `
  SELECT ${columns} FROM ${table} WHERE span_ms = 60000 AND bucket_ms >= @minuteFrom AND bucket_ms < @hourFrom
  UNION ALL
  SELECT ${columns} FROM ${table} WHERE span_ms = 3600000 AND bucket_ms >= @hourFrom AND bucket_ms < @dayFrom
  UNION ALL
  SELECT ${columns} FROM ${table} WHERE span_ms = 86400000 AND bucket_ms >= @dayFrom
  UNION ALL
  SELECT ${deltaColumns} FROM job_rollup_deltas WHERE bucket_ms >= @minuteFrom`;

const EDGE = `created_at >= @from AND created_at < @to`;

export const rollupsSql = {
  now: `SELECT ${NOW} AS now`,

  /** How many deltas wait for a fold (ids are dense: a fold deletes from the lowest). */
  backlog: `SELECT coalesce(max(id) - min(id) + 1, 0) AS backlog FROM job_rollup_deltas`,
  /** The last id of the next fold's batch of at most @batch deltas. */
  foldUpTo: `SELECT max(id) AS upTo FROM (SELECT id FROM job_rollup_deltas ORDER BY id LIMIT ${boundCount('batch')})`,
  /** The fold's batch summed per minute and group of like jobs, once (the spans then read these few rows). */
  foldTable: `
    CREATE TEMP TABLE IF NOT EXISTS rollup_fold (
      bucket_ms INTEGER, kind TEXT, status TEXT, priority INTEGER, retried INTEGER, error_code TEXT,
      duration_bucket INTEGER, seconds REAL, change INTEGER)`,
  foldClear: `DELETE FROM temp.rollup_fold`,
  foldGroup: `
    INSERT INTO temp.rollup_fold
    SELECT bucket_ms, kind, status, priority, retried, error_code, duration_bucket, total(seconds), sum(change)
    FROM job_rollup_deltas WHERE id <= @upTo
    GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  foldCounts: `
    INSERT INTO job_count_rollups (span_ms, bucket_ms, kind, status, priority, retried, jobs)
    SELECT s.span_ms, ${bucketOf('s.span_ms', 'd.bucket_ms')}, d.kind, d.status, d.priority, d.retried, sum(d.change)
    FROM temp.rollup_fold d CROSS JOIN ${SPANS} s
    WHERE true
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (span_ms, bucket_ms, kind, status, priority, retried) DO UPDATE SET jobs = jobs + excluded.jobs`,
  foldErrors: `
    INSERT INTO job_error_rollups (span_ms, bucket_ms, error_code, jobs)
    SELECT s.span_ms, ${bucketOf('s.span_ms', 'd.bucket_ms')}, d.error_code, sum(d.change)
    FROM temp.rollup_fold d CROSS JOIN ${TIMED_SPANS} s
    WHERE d.error_code IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (span_ms, bucket_ms, error_code) DO UPDATE SET jobs = jobs + excluded.jobs`,
  foldDurations: `
    INSERT INTO job_duration_rollups (span_ms, bucket_ms, duration_bucket, jobs, seconds)
    SELECT s.span_ms, ${bucketOf('s.span_ms', 'd.bucket_ms')}, d.duration_bucket, sum(d.change), total(d.seconds)
    FROM temp.rollup_fold d CROSS JOIN ${TIMED_SPANS} s
    WHERE d.duration_bucket IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (span_ms, bucket_ms, duration_bucket)
    DO UPDATE SET jobs = jobs + excluded.jobs, seconds = seconds + excluded.seconds`,
  foldDelete: `DELETE FROM job_rollup_deltas WHERE id <= @upTo`,

  /** A rebuild: everything counted again from `jobs`, as deltas the next folds move in. */
  rebuildClear: [
    'DELETE FROM job_count_rollups',
    'DELETE FROM job_error_rollups',
    'DELETE FROM job_duration_rollups',
    'DELETE FROM job_rollup_deltas',
  ],
  rebuildDeltas: `
    INSERT INTO job_rollup_deltas
      (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
    SELECT created_at - created_at % 60000, kind, status, priority, retry_count > 0,
      CASE WHEN (status = 'failed' OR status = 'timeout' OR status = 'cancelled') THEN error_code END,
      CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
        THEN ${durationBucket('processing_time_seconds')} END,
      sum(CASE WHEN status = 'completed' THEN processing_time_seconds END),
      count(*)
    FROM jobs
    GROUP BY 1, 2, 3, 4, 5, 6, 7`,

  /** Jobs by status of all time. */
  allTimeCounts: `
    SELECT status, sum(jobs) AS jobs FROM (
      SELECT status, jobs FROM job_count_rollups WHERE span_ms = 0
      UNION ALL
      SELECT status, change FROM job_rollup_deltas
    ) GROUP BY status`,
  windowCounts: `
    SELECT status, priority, retried, sum(jobs) AS jobs FROM (${windowRows(
      'job_count_rollups',
      'status, priority, retried, jobs',
      'status, priority, retried, change',
    )}) GROUP BY status, priority, retried`,
  windowErrors: `
    SELECT error_code, sum(jobs) AS jobs FROM (${windowRows(
      'job_error_rollups',
      'error_code, jobs',
      'error_code, change',
    )}) WHERE error_code IS NOT NULL GROUP BY error_code`,
  windowDurations: `
    SELECT duration_bucket, sum(jobs) AS jobs, total(seconds) AS seconds FROM (${windowRows(
      'job_duration_rollups',
      'duration_bucket, jobs, seconds',
      'duration_bucket, change, seconds',
    )}) WHERE duration_bucket IS NOT NULL GROUP BY duration_bucket`,

  /** The same figures counted from the jobs created in [@from, @to): a window's part minute. */
  edgeCounts: `
    SELECT status, priority, retry_count > 0 AS retried, count(*) AS jobs FROM jobs WHERE ${EDGE}
    GROUP BY 1, 2, 3`,
  edgeErrors: `
    SELECT error_code, count(*) AS jobs FROM jobs
    WHERE ${EDGE} AND error_code IS NOT NULL AND (status = 'failed' OR status = 'timeout' OR status = 'cancelled')
    GROUP BY error_code`,
  edgeDurations: `
    SELECT ${durationBucket('processing_time_seconds')} AS duration_bucket, count(*) AS jobs,
      total(processing_time_seconds) AS seconds
    FROM jobs WHERE ${EDGE} AND status = 'completed' AND processing_time_seconds IS NOT NULL
    GROUP BY 1`,
  /** The processing times of the completed jobs created since @from, when few enough to read them all. */
  exactDurations: `
    SELECT processing_time_seconds FROM jobs
    WHERE created_at >= @from AND status = 'completed' AND processing_time_seconds IS NOT NULL
    ORDER BY processing_time_seconds`,
} as const;
