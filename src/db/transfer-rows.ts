/**
 * Moved jobs (`exportJobs`, `importJobs`) as both stores read and write them: a job's row by column
 * name, each store turning times and JSON into its own types; events joined to the page's jobs.
 */
import { priorityRank, type Job, type JobEvent } from '../jobs/model.js';
import type { TransferredEvent, TransferredJob } from '../jobs/store.js';

/** A job's `jobs` columns but the points, by name; times as `Date`, JSON columns as values. */
export function jobColumns(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    user_id: job.userId,
    lesson_id: job.lessonId,
    status: job.status,
    priority: priorityRank(job.priority),
    payload: job.payload,
    progress: job.progress,
    stage: job.stage,
    message: job.message,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    run_at: job.runAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    timeout_seconds: job.timeoutSeconds,
    attempt: job.attempt,
    retry_count: job.retryCount,
    max_retries: job.maxRetries,
    worker_id: job.workerId,
    lease_expires_at: job.leaseExpiresAt,
    last_heartbeat: job.lastHeartbeat,
    cancel_requested_at: job.cancelRequestedAt,
    cancel_reason: job.cancelReason,
    result: job.result,
    error_code: job.errorCode,
    error_message: job.errorMessage,
    error_details: job.errorDetails,
    idempotency_key: job.idempotencyKey,
    processing_time_seconds: job.processingTimeSeconds,
    lost_attempts: job.lostAttempts,
  };
}

/** The columns of `jobColumns`, in its order: what an import writes as given. */
export const IMPORTED_COLUMNS = [
  'id',
  'kind',
  'user_id',
  'lesson_id',
  'status',
  'priority',
  'payload',
  'progress',
  'stage',
  'message',
  'created_at',
  'updated_at',
  'run_at',
  'started_at',
  'completed_at',
  'timeout_seconds',
  'attempt',
  'retry_count',
  'max_retries',
  'worker_id',
  'lease_expires_at',
  'last_heartbeat',
  'cancel_requested_at',
  'cancel_reason',
  'result',
  'error_code',
  'error_message',
  'error_details',
  'idempotency_key',
  'processing_time_seconds',
  'lost_attempts',
] as const satisfies readonly (keyof ReturnType<typeof jobColumns>)[];

/** An event without the ids its database gave it. */
export function transferredEvent(event: JobEvent): TransferredEvent {
  const { id: _id, jobId: _jobId, ...rest } = event;
  return rest;
}

/** Each job with its events (`events` in each job's order, any jobs interleaved). */
export function withEvents(
  jobs: readonly { job: Job; costPoints: number; pointsCharged: number }[],
  events: readonly JobEvent[],
): TransferredJob[] {
  const byJob = new Map<string, TransferredEvent[]>();
  for (const event of events) {
    const list = byJob.get(event.jobId) ?? [];
    list.push(transferredEvent(event));
    byJob.set(event.jobId, list);
  }
  return jobs.map((row) => ({ ...row, events: byJob.get(row.job.id) ?? [] }));
}

/** The first record of each id, in order: a later one of the same id is taken by the first. */
export function firstOfEachId(records: readonly TransferredJob[]): TransferredJob[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (seen.has(record.job.id)) return false;
    seen.add(record.job.id);
    return true;
  });
}
