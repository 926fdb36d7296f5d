/**
 * Statistics and health of the whole queue from the rollups (migration 0028 of each dialect), the
 * same for both dialects: the store reads the rollup rows of a window and, for the part hour at the
 * window's start, counts those jobs themselves; this module plans the window and turns the rows into
 * the figures `statistics` and `health` answer.
 *
 * A window [now − hours, now] is read as whole buckets from a whole minute `minuteFrom` (minute
 * rollups up to the next whole hour `hourFrom`, hour rollups up to the next UTC midnight `dayFrom`,
 * day rollups after it) corrected by an exact count of the jobs created between the window's start
 * and the nearer whole minute: added when the start is nearer the next minute, subtracted when nearer
 * the one before. So the counts are exact, and the work is at most 59 minute and 23 hour buckets, one
 * per day and 30 seconds of jobs, whatever the table's size.
 */
import { histogramMax, histogramPercentile, type DurationBucket } from './duration-histogram.js';
import { countsByPriority, countsByStatus, failureRate, healthFrom, percentileIndex } from './statistics.js';
import type { HealthMetrics, JobStatistics } from './store.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/**
 * Up to this many completed jobs in a window, processing-time percentiles and the max are exact
 * (read from the jobs); above, they come from the histogram (duration-histogram.ts).
 */
export const EXACT_DURATIONS_LIMIT = 1_000;
/** Deltas waiting for a fold beyond which a statistics read folds first (so reads stay short). */
export const FOLD_BEFORE_READ_BACKLOG = 20_000;
/** Most deltas one fold transaction moves. */
export const FOLD_BATCH = 20_000;

export interface RollupWindow {
  /** The window's first millisecond: jobs created at or after it count. */
  start: number;
  minuteFrom: number;
  hourFrom: number;
  dayFrom: number;
  /** Jobs created in [from, to) counted from the table, with this sign. */
  edge: { from: number; to: number; sign: 1 | -1 } | null;
}

export function rollupWindow(nowMs: number, hours: number): RollupWindow {
  const start = nowMs - Math.round(hours * HOUR_MS);
  const before = start - (((start % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
  const minuteFrom = before === start || start - before <= MINUTE_MS / 2 ? before : before + MINUTE_MS;
  const hourFrom = Math.ceil(minuteFrom / HOUR_MS) * HOUR_MS;
  const dayFrom = Math.ceil(hourFrom / DAY_MS) * DAY_MS;
  const edge =
    minuteFrom === start
      ? null
      : minuteFrom < start
        ? { from: minuteFrom, to: start, sign: -1 as const }
        : { from: start, to: minuteFrom, sign: 1 as const };
  return { start, minuteFrom, hourFrom, dayFrom, edge };
}

export interface CountRow {
  status: string;
  priority: number;
  retried: number | boolean;
  jobs: number | string;
}
export interface ErrorRow {
  error_code: string;
  jobs: number | string;
}
export interface DurationRow {
  duration_bucket: number;
  jobs: number | string;
  seconds: number | string | null;
}

export interface WindowRows {
  counts: CountRow[];
  errors: ErrorRow[];
  durations: DurationRow[];
}

/** The rollup rows plus (or minus) the edge's rows. */
export function withEdge(rows: WindowRows, edge: WindowRows | null, sign: 1 | -1): WindowRows {
  if (!edge) return rows;
  const flip = <T extends { jobs: number | string }>(row: T): T => ({
    ...row,
    jobs: sign * Number(row.jobs),
  });
  return {
    counts: [...rows.counts, ...edge.counts.map(flip)],
    errors: [...rows.errors, ...edge.errors.map(flip)],
    durations: [
      ...rows.durations,
      ...edge.durations.map((row) => ({ ...flip(row), seconds: sign * Number(row.seconds ?? 0) })),
    ],
  };
}

/** How many completed jobs with a processing time the rows count. */
export function durationCount(rows: WindowRows): number {
  return rows.durations.reduce((sum, row) => sum + Number(row.jobs), 0);
}

function sumBy<K extends string | number>(entries: Iterable<[K, number]>): Map<K, number> {
  const totals = new Map<K, number>();
  for (const [key, n] of entries) totals.set(key, (totals.get(key) ?? 0) + n);
  return totals;
}

const statusRows = (rows: readonly CountRow[]) =>
  [...sumBy(rows.map((row) => [row.status, Number(row.jobs)]))].map(([status, count]) => ({ status, count }));

export function healthFromRollups(
  rows: readonly CountRow[],
  oldestPendingAgeMs: number | null,
): HealthMetrics {
  return healthFrom(countsByStatus(statusRows(rows)), oldestPendingAgeMs);
}

/**
 * The statistics of a window's rows. `exactDurations`: the window's processing times in ascending
 * order when there are at most EXACT_DURATIONS_LIMIT of them, or null to read the histogram.
 */
export function statisticsFromRollups(
  hours: number,
  rows: WindowRows,
  exactDurations: readonly number[] | null,
  oldestPendingAgeMs: number | null,
): JobStatistics {
  const totals = countsByStatus(statusRows(rows.counts));
  const health = healthFrom(totals, oldestPendingAgeMs);
  const priorities = [...sumBy(rows.counts.map((row) => [row.priority, Number(row.jobs)]))].map(
    ([priority, count]) => ({ priority, count }),
  );
  const retriedJobs = rows.counts
    .filter((row) => Number(row.retried) !== 0)
    .reduce((sum, row) => sum + Number(row.jobs), 0);
  const errorCodes = [...sumBy(rows.errors.map((row) => [row.error_code, Number(row.jobs)]))]
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 20);
  return {
    periodHours: hours,
    totals,
    total: health.total,
    failureRate: failureRate(totals),
    oldestPendingJobAgeMinutes: health.oldestPendingJobAgeMinutes,
    processingTimeSeconds: exactDurations ? exactTimes(exactDurations) : histogramTimes(rows.durations),
    priorityDistribution: countsByPriority(priorities),
    errorCodes: Object.fromEntries(errorCodes),
    retriedJobs,
  };
}

function exactTimes(sorted: readonly number[]): JobStatistics['processingTimeSeconds'] {
  const count = sorted.length;
  const at = (p: number) => (count === 0 ? null : sorted[percentileIndex(p, count)]!);
  return {
    count,
    average: count === 0 ? null : sorted.reduce((sum, t) => sum + t, 0) / count,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: count === 0 ? null : sorted[count - 1]!,
  };
}

function histogramTimes(rows: readonly DurationRow[]): JobStatistics['processingTimeSeconds'] {
  const byBucket = sumBy(rows.map((row) => [row.duration_bucket, Number(row.jobs)]));
  const buckets: DurationBucket[] = [...byBucket].map(([bucket, jobs]) => ({ bucket, jobs }));
  const count = buckets.reduce((sum, b) => sum + b.jobs, 0);
  const seconds = rows.reduce((sum, row) => sum + Number(row.seconds ?? 0), 0);
  return {
    count,
    average: count === 0 ? null : Math.round((seconds / count) * 1e6) / 1e6,
    p50: histogramPercentile(buckets, 0.5),
    p95: histogramPercentile(buckets, 0.95),
    p99: histogramPercentile(buckets, 0.99),
    max: histogramMax(buckets),
  };
}
