/** Turns per-status counts into the health figures of seed 003, the same for both dialects. */
import { JOB_PRIORITIES, JOB_STATUSES, type JobPriority, type JobStatus } from './model.js';
import type { HealthMetrics } from './store.js';

export function countsByStatus(
  rows: readonly { status: string; count: number }[],
): Record<JobStatus, number> {
  const totals = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  for (const row of rows) totals[row.status as JobStatus] = Number(row.count);
  return totals;
}

export function countsByPriority(
  rows: readonly { priority: number; count: number }[],
): Record<JobPriority, number> {
  const totals = Object.fromEntries(JOB_PRIORITIES.map((p) => [p, 0])) as Record<JobPriority, number>;
  for (const row of rows) {
    const name = JOB_PRIORITIES[row.priority];
    if (name) totals[name] = Number(row.count);
  }
  return totals;
}

export function failureRate(totals: Record<JobStatus, number>): number {
  const total = Object.values(totals).reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  return Math.round(((totals.failed + totals.timeout) / total) * 10_000) / 100;
}

export function healthFrom(
  totals: Record<JobStatus, number>,
  oldestPendingAgeMs: number | null,
): HealthMetrics {
  return {
    total: Object.values(totals).reduce((sum, n) => sum + n, 0),
    ...totals,
    failureRate: failureRate(totals),
    oldestPendingJobAgeMinutes:
      oldestPendingAgeMs === null ? null : Math.round((Math.max(0, oldestPendingAgeMs) / 60_000) * 100) / 100,
  };
}

/** Nearest-rank percentile index (as PostgreSQL's percentile_disc): ceil(p·n) − 1. */
export function percentileIndex(p: number, count: number): number {
  return Math.max(0, Math.ceil(p * count) - 1);
}
