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

export function tooManyJobs(limit: number, active: number): ReelqueueError {
  return new ReelqueueError(
    'TOO_MANY_JOBS',
    `You have ${active} queued or running jobs; the limit is ${limit}`,
    { limit, active },
  );
}

/** A job id repeated within a batch or already stored: the whole batch is refused. */
export function jobIdTaken(id: string): ReelqueueError {
  return new ReelqueueError('VALIDATION_FAILED', `Job id ${id} is already taken`, { id });
}

/** The first id of `jobs` that repeats an earlier one in the batch or is among `storedIds`. */
export function firstTakenId(
  jobs: readonly { id: string }[],
  storedIds: Iterable<string>,
): string | undefined {
  const seen = new Set(storedIds);
  for (const { id } of jobs) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
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
