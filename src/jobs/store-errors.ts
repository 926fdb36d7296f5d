/** The errors both job stores raise, worded once. */
import { ReelqueueError } from '../errors.js';
import type { Job, Lease } from './model.js';
import type { RetryRequest } from './store.js';

export function leaseLost(lease: Lease): ReelqueueError {
  return new ReelqueueError(
    'LEASE_LOST',
    `Worker ${lease.workerId} no longer holds job ${lease.jobId} (attempt ${lease.attempt}); its write was refused`,
    { jobId: lease.jobId, attempt: lease.attempt, workerId: lease.workerId },
  );
}

export function jobNotFound(id: string): ReelqueueError {
  return new ReelqueueError('JOB_NOT_FOUND', `No job ${id}`, { jobId: id });
}

export function jobNotPending(job: Job): ReelqueueError {
  return new ReelqueueError(
    'JOB_NOT_PENDING',
    `Job ${job.id} is ${job.status}; only a pending job's priority can change`,
    { jobId: job.id, status: job.status },
  );
}

export function checkRetryable(job: Job, request: RetryRequest): void {
  if (!['failed', 'cancelled', 'timeout'].includes(job.status)) {
    throw new ReelqueueError(
      'JOB_NOT_RETRYABLE',
      `Job ${job.id} is ${job.status}; only failed, cancelled or timed-out jobs can be retried`,
      { jobId: job.id, status: job.status },
    );
  }
  if (!request.force && job.retryCount >= job.maxRetries) {
    throw new ReelqueueError(
      'RETRY_LIMIT_REACHED',
      `Job ${job.id} used all ${job.maxRetries} retries; pass force_retry to run it again anyway`,
      { jobId: job.id, retryCount: job.retryCount, maxRetries: job.maxRetries },
    );
  }
}

/** A retry whose job changed between its checks and its update (another process retried it). */
export function changedWhileRetrying(id: string, status: string): ReelqueueError {
  return new ReelqueueError('JOB_NOT_RETRYABLE', `Job ${id} changed while it was being retried; try again`, {
    jobId: id,
    status,
  });
}

export function tooManyJobs(limit: number, active: number): ReelqueueError {
  return new ReelqueueError(
    'TOO_MANY_JOBS',
    `You have ${active} queued or running jobs; the limit is ${limit}`,
    { limit, active },
  );
}

/**
 * A batch refused because a job id in it is taken: repeated within the batch, or among `storedIds`
 * (the batch's ids already stored). Names the first such id.
 */
export function jobIdTaken(jobs: readonly { id: string }[], storedIds: Iterable<string>): ReelqueueError {
  const seen = new Set(storedIds);
  let taken = jobs[0]?.id ?? '';
  for (const { id } of jobs) {
    if (seen.has(id)) {
      taken = id;
      break;
    }
    seen.add(id);
  }
  return new ReelqueueError('VALIDATION_FAILED', `Job id ${taken} is already taken`, { id: taken });
}

/**
 * A job left out for its idempotency key, whose keyed job was deleted (by a cleanup) before it could
 * be read back. Enqueueing it again creates it.
 */
export function keyedJobVanished(job: { userId: string | null; idempotencyKey: string | null }): Error {
  return new Error(
    `The job holding idempotency key ${job.idempotencyKey} of ${job.userId ?? 'no user'} was removed while this enqueue ran; enqueue again`,
  );
}

/** An imported job whose id, or owner and idempotency key, is taken, under the rule `fail`. */
export function importConflict(jobId: string): ReelqueueError {
  return new ReelqueueError(
    'IMPORT_CONFLICT',
    `Job ${jobId} is already in this database (its id, or its owner and idempotency key); nothing of its batch was written. Import with --on-conflict skip to leave such jobs out`,
    { jobId },
  );
}

/**
 * The outcome of an import batch, each id once: those the database returned as inserted, the rest
 * taken (IMPORT_CONFLICT under `fail`, which the caller's transaction then rolls back).
 */
export function importOutcome(
  ids: readonly string[],
  inserted: ReadonlySet<string>,
  onConflict: 'skip' | 'fail',
): { imported: string[]; skipped: string[] } {
  const imported: string[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const first = !seen.has(id);
    seen.add(id);
    if (first && inserted.has(id)) imported.push(id);
    else if (onConflict === 'fail') throw importConflict(id);
    else skipped.push(id);
  }
  return { imported, skipped };
}
