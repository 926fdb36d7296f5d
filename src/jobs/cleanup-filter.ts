/**
 * What `cleanup` deletes besides a job's age: only finished jobs, of the statuses asked for (seed
 * 004 deletes old failed jobs only), aged from their end or, in seed 002's form, from their creation.
 */
import { ReelqueueError } from '../errors.js';
import type { JobStatus } from './model.js';
import { jobNotFound } from './store-errors.js';

/**
 * Jobs a cleanup deletes in its first transaction (then sized by time: cleanup-batches.ts). Each
 * batch commits before the next starts, so a claim or a completion waits for one batch at most
 * (PostgreSQL holds row locks on the batch only), and SQLite's WAL holds a few batches' pages
 * between checkpoints, not the whole cleanup's.
 */
export const CLEANUP_BATCH = 1_000;

export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled', 'timeout'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

export interface CleanupFilter {
  /** Only jobs in these statuses (default: every finished status). */
  statuses?: readonly FinishedStatus[] | undefined;
  /** The age counts from `completed_at` (default) or from `created_at` (seed 002's `delete_old_jobs`). */
  ageFrom?: 'completed' | 'created' | undefined;
}

/** The statuses asked for, checked: INVALID_STATUS for one that is not a finished status. */
export function cleanupStatuses(statuses: readonly string[] | undefined): FinishedStatus[] | null {
  if (statuses === undefined || statuses.length === 0) return null;
  for (const status of statuses) {
    if (!(FINISHED_STATUSES as readonly string[]).includes(status)) {
      throw new ReelqueueError(
        'INVALID_STATUS',
        `Cleanup deletes finished jobs only: status ${JSON.stringify(status)} is not one of ${FINISHED_STATUSES.join(', ')}`,
        { status, allowed: [...FINISHED_STATUSES] },
      );
    }
  }
  return [...new Set(statuses as readonly FinishedStatus[])];
}

export const isFinishedStatus = (status: JobStatus): status is FinishedStatus =>
  (FINISHED_STATUSES as readonly string[]).includes(status);

/** Why a single job was not deleted: JOB_NOT_FOUND (none in the scope) or JOB_NOT_FINISHED. */
export function jobNotDeleted(id: string, job: { status: JobStatus } | null): ReelqueueError {
  if (!job) return jobNotFound(id);
  return new ReelqueueError(
    'JOB_NOT_FINISHED',
    `Job ${id} is ${job.status}: only a finished job can be deleted; cancel it first`,
    { job_id: id, status: job.status },
  );
}
