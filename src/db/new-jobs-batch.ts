/**
 * A batch of new jobs as the stores' one-statement inserts read it: SQLite a JSON array of
 * `{id, kind, user_id, lesson_id, priority, payload, run_at, timeout_seconds, max_retries,
 * idempotency_key, cost_points}` (each store writes times its own way: `time`), PostgreSQL one
 * array per column in that order.
 */
import { priorityRank, type ResolvedNewJob } from '../jobs/model.js';

export function newJobsJson(jobs: readonly ResolvedNewJob[], time: (at: Date) => string | number): string {
  return JSON.stringify(
    jobs.map((job) => ({
      id: job.id,
      kind: job.kind,
      user_id: job.userId,
      lesson_id: job.lessonId,
      priority: priorityRank(job.priority),
      payload: job.payload,
      run_at: job.runAt === null ? null : time(job.runAt),
      timeout_seconds: job.timeoutSeconds,
      max_retries: job.maxRetries,
      idempotency_key: job.idempotencyKey,
      cost_points: job.costPoints,
    })),
  );
}

/** The fields of `newJobsJson`'s objects as one array per column, in its order; payloads as JSON text. */
export function newJobsColumns(jobs: readonly ResolvedNewJob[]): unknown[][] {
  return [
    jobs.map((job) => job.id),
    jobs.map((job) => job.kind),
    jobs.map((job) => job.userId),
    jobs.map((job) => job.lessonId),
    jobs.map((job) => priorityRank(job.priority)),
    jobs.map((job) => JSON.stringify(job.payload)),
    jobs.map((job) => (job.runAt === null ? null : job.runAt.toISOString())),
    jobs.map((job) => job.timeoutSeconds),
    jobs.map((job) => job.maxRetries),
    jobs.map((job) => job.idempotencyKey),
    jobs.map((job) => job.costPoints),
  ];
}
