/**
 * A job as the seeds' clients read it (seed 003's field names, snake_case), its JSON schema, and the
 * one mapping from the domain `Job`. The dashboard imports these types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { JOB_PRIORITIES, JOB_STATUSES, type Job } from '../../jobs/model.js';
import { Nullable, StringEnum } from './json-types.js';

/** Any JSON value, null included. */
const Json = Type.Unknown();

export const JobWireSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    job_id: Type.String({ format: 'uuid' }),
    kind: Type.String(),
    lesson_id: Nullable(Type.String()),
    user_id: Nullable(Type.String()),
    status: StringEnum(JOB_STATUSES),
    priority: StringEnum(JOB_PRIORITIES),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    stage: Nullable(Type.String()),
    message: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    completed_at: Nullable(Type.String({ format: 'date-time' })),
    timeout_seconds: Type.Integer(),
    presentation_id: Nullable(Type.String()),
    slide_count: Nullable(Type.Integer()),
    duration_sec: Nullable(Type.Number()),
    result_data: Json,
    retry_count: Type.Integer(),
    max_retries: Type.Integer(),
    attempt: Type.Integer(),
    /** Attempts lost with their worker (it died): they use up no retry (MAX_LOST_ATTEMPTS). */
    lost_attempts: Type.Integer(),
    error_code: Nullable(Type.String()),
    error_message: Nullable(Type.String()),
    error_details: Json,
    style: Type.String(),
    use_llm_polish: Type.Boolean(),
    worker_id: Nullable(Type.String()),
    queue_position: Nullable(
      Type.Integer({
        description:
          'For a pending job, how many pending jobs are claimed before it (0 = next), in every answer that carries a job; null for a job that is not pending',
      }),
    ),
    processing_time_seconds: Nullable(Type.Number()),
    video_url: Nullable(Type.String()),
    thumbnail_url: Nullable(Type.String()),
    last_heartbeat: Nullable(Type.String({ format: 'date-time' })),
    cancel_reason: Nullable(Type.String()),
  },
  { $id: 'Job' },
);
export type JobWire = Static<typeof JobWireSchema>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function resultNumber(job: Job, field: string): number | null {
  const value = job.result?.[field];
  return typeof value === 'number' ? value : null;
}

export function jobToWire(job: Job, queuePosition: number | null = null): JobWire {
  const payload = job.payload;
  const completed = job.status === 'completed';
  return {
    id: job.id,
    job_id: job.id,
    kind: job.kind,
    lesson_id: job.lessonId,
    user_id: job.userId,
    status: job.status,
    priority: job.priority,
    progress: job.progress,
    stage: job.stage,
    message: job.message,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    timeout_seconds: job.timeoutSeconds,
    presentation_id: typeof job.result?.presentation_id === 'string' ? job.result.presentation_id : null,
    slide_count: resultNumber(job, 'slide_count'),
    duration_sec: resultNumber(job, 'duration_sec'),
    result_data: job.result,
    retry_count: job.retryCount,
    max_retries: job.maxRetries,
    attempt: job.attempt,
    lost_attempts: job.lostAttempts,
    error_code: job.errorCode,
    error_message: job.errorMessage,
    error_details: job.errorDetails,
    style: typeof payload.style === 'string' ? payload.style : 'default',
    use_llm_polish: payload.use_llm_polish === true,
    worker_id: job.workerId,
    queue_position: queuePosition,
    processing_time_seconds: job.processingTimeSeconds,
    video_url: completed && job.kind === 'presentation' ? `/api/videos/${job.id}` : null,
    thumbnail_url: completed && job.kind === 'presentation' ? `/api/videos/${job.id}/thumbnail` : null,
    last_heartbeat: iso(job.lastHeartbeat),
    cancel_reason: job.cancelReason,
  };
}
