/**
 * The queue over time, bucket by bucket (the dashboard's charts): jobs created, completed and failed
 * in each minute or hour, the queue depth at each bucket's end, and the processing-time percentiles
 * of the jobs that completed in it. Each dialect computes it in one SQL statement of its own
 * (`timeSeriesSql`), apart from `statistics`, so it can be re-pointed at rollup tables later.
 */
import { ReelqueueError } from '../errors.js';

export const TIME_BUCKETS = ['minute', 'hour'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

export const BUCKET_SECONDS: Readonly<Record<TimeBucket, number>> = Object.freeze({ minute: 60, hour: 3600 });

/** The longest window per bucket size: 1,440 minutes, or 31 days of hours (744 points at most). */
export const MAX_SERIES_HOURS: Readonly<Record<TimeBucket, number>> = Object.freeze({
  minute: 24,
  hour: 744,
});

export interface TimeSeriesPoint {
  /** Start of the bucket (UTC, aligned to the minute or the hour). */
  start: Date;
  /** Jobs created in the bucket. */
  created: number;
  /** Jobs that ended `completed` in the bucket (by `completed_at`). */
  completed: number;
  /** Jobs that ended `failed` or `timeout` in the bucket (their last attempt; retries are not counted). */
  failed: number;
  /**
   * Jobs waiting at the bucket's end (or now, for the current bucket): created by then and not yet
   * started or finished. A retried job counts from its creation to its latest start.
   */
  queueDepth: number;
  /** Processing time (seconds) of the jobs that completed in the bucket; nearest-rank percentiles. */
  processingTimeSeconds: { count: number; p50: number | null; p95: number | null; p99: number | null };
}

export interface JobTimeSeries {
  periodHours: number;
  bucket: TimeBucket;
  /** Oldest first, one per bucket from the window's start (rounded down to the bucket) to now. */
  points: TimeSeriesPoint[];
}

/** Checks a window before any SQL runs: `VALIDATION_FAILED` outside (0, MAX_SERIES_HOURS[bucket]]. */
export function checkedSeriesWindow(hours: number, bucket: TimeBucket): number {
  const max = MAX_SERIES_HOURS[bucket];
  if (!Number.isFinite(hours) || hours <= 0 || hours > max) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `hours must be more than 0 and at most ${max} with ${bucket} buckets (got ${hours})`,
      { field: 'hours', max, bucket },
    );
  }
  return hours;
}

/** A nullable SQL number (PostgreSQL's bigint and numeric arrive as strings). */
export function seriesNumber(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** One row of either dialect's `timeSeriesSql.series`, its start already a Date. */
export interface TimeSeriesRow {
  created: number | string;
  completed: number | string;
  failed: number | string;
  queue_depth: number | string;
  timed: number | string;
  p50: number | string | null;
  p95: number | string | null;
  p99: number | string | null;
}

export function pointFromRow(row: TimeSeriesRow, start: Date): TimeSeriesPoint {
  return {
    start,
    created: Number(row.created),
    completed: Number(row.completed),
    failed: Number(row.failed),
    // Never below zero, whatever odd clocks wrote (a start recorded before the creation).
    queueDepth: Math.max(0, Number(row.queue_depth)),
    processingTimeSeconds: {
      count: Number(row.timed),
      p50: seriesNumber(row.p50),
      p95: seriesNumber(row.p95),
      p99: seriesNumber(row.p99),
    },
  };
}
