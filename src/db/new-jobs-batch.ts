/**
 * A batch of new jobs as both stores' one-statement insert reads it: a JSON array of
 * `{id, kind, user_id, lesson_id, priority, payload, run_at, timeout_seconds, max_retries,
 * idempotency_key, cost_points}`. Each store writes times its own way (`time`).
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
