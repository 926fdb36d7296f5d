/**
 * What both job stores share about manual retries (`retry`, `retryMany`): which limit applies to a
 * job queued again, and which errors are refusals reported per id rather than failures of the call.
 */
import { isReelqueueError, type ErrorCode } from '../errors.js';
import type { Job } from './model.js';
import type { RetryOptions, RetryOutcome } from './store.js';

/**
 * The active-jobs limit a retry of `job` must stay within: its owner's, as for a new job. Jobs
 * without an owner and webhook deliveries (which `countActive` leaves out) have none.
 */
export function activeLimitFor(
  job: Pick<Job, 'userId' | 'kind'>,
  activeLimit: RetryOptions['activeLimit'],
): number | undefined {
  if (job.userId === null || job.kind === 'webhook') return undefined;
  return typeof activeLimit === 'function' ? activeLimit(job.userId) : activeLimit;
}

/** The codes a retry of one job is refused with: the request's doing, and nothing was changed. */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'JOB_NOT_FOUND',
  'JOB_NOT_RETRYABLE',
  'RETRY_LIMIT_REACHED',
  'TOO_MANY_JOBS',
  'INSUFFICIENT_POINTS',
]);

/** The outcome of retrying `jobId` when it threw `error`; anything but a refusal is rethrown. */
export function refusedRetry(jobId: string, error: unknown): RetryOutcome {
  if (isReelqueueError(error) && REFUSALS.has(error.code)) return { jobId, job: null, error };
  throw error;
}

/** Each id once, in order of first appearance. */
export function distinctIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
