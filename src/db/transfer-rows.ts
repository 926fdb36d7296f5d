/**
 * Moved jobs (`exportJobs`, `importJobs`) as both stores read and write them: a job's row by column
 * name, each store turning times and JSON into its own types; events joined to the page's jobs.
 */
import { ReelqueueError } from '../errors.js';
import { priorityRank, type Job, type JobEvent } from '../jobs/model.js';
import type { TransferredEvent, TransferredJob } from '../jobs/store.js';
import { JOB_COLUMNS } from './job-columns.js';

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
    deadline_at: job.deadlineAt,
  };
}

/** A moved job's columns as an import writes them: `jobColumns` and its place among its parents. */
export function importedColumns(record: TransferredJob) {
  return {
    ...jobColumns(record.job),
    on_parent_failure: record.onParentFailure,
    waiting_parents: record.waitingParents,
  };
}

/** The columns of `importedColumns`, in its order: what an import writes as given. */
export const IMPORTED_COLUMNS = [
  ...JOB_COLUMNS,
  'on_parent_failure',
  'waiting_parents',
] as const satisfies readonly (keyof ReturnType<typeof importedColumns>)[];

/** An event without the ids its database gave it. */
export function transferredEvent(event: JobEvent): TransferredEvent {
  const { id: _id, jobId: _jobId, ...rest } = event;
  return rest;
}

/** A `job_dependencies` row: `childId` waits for `parentId`. */
export interface DependencyRow {
  childId: string;
  parentId: string;
}

/**
 * Each job with its events (`events` in each job's order, any jobs interleaved) and its parents
 * (`dependencies` of the page's jobs, each child's in parent id order).
 */
export function withEvents(
  jobs: readonly Omit<TransferredJob, 'events' | 'dependsOn'>[],
  events: readonly JobEvent[],
  dependencies: readonly DependencyRow[],
): TransferredJob[] {
  const byJob = new Map<string, TransferredEvent[]>();
  for (const event of events) {
    const list = byJob.get(event.jobId) ?? [];
    list.push(transferredEvent(event));
    byJob.set(event.jobId, list);
  }
  const parents = new Map<string, string[]>();
  for (const { childId, parentId } of dependencies) {
    parents.set(childId, [...(parents.get(childId) ?? []), parentId]);
  }
  return jobs.map((row) => ({
    ...row,
    events: byJob.get(row.job.id) ?? [],
    dependsOn: parents.get(row.job.id) ?? [],
  }));
}

/**
 * The parents the written children of a batch name, each once: the import adds their dependency rows and
 * marks them `has_children` (an update that is not of `status`, so no settling trigger fires).
 */
export function parentsOf(written: readonly TransferredJob[]): string[] {
  return [...new Set(written.flatMap((record) => record.dependsOn))];
}

/**
 * PARENT_NOT_FOUND for the first written child naming a parent that is not in the database once
 * the batch's jobs are inserted (`existing`: the parents that are); the batch's transaction is rolled back.
 */
export function checkParentsExist(written: readonly TransferredJob[], existing: ReadonlySet<string>): void {
  for (const record of written) {
    const missing = record.dependsOn.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      throw new ReelqueueError(
        'PARENT_NOT_FOUND',
        `Job ${record.job.id} depends on ${missing.join(', ')}, neither in the database nor imported before it; nothing of this batch was imported`,
        { jobId: record.job.id, parent_ids: missing },
      );
    }
  }
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
