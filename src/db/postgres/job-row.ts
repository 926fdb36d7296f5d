/** `jobs` and `job_events` rows as the pg driver returns them, and their mapping to the model. */
import {
  priorityFromRank,
  type Job,
  type JobEvent,
  type JobEventType,
  type JobStatus,
  type JsonObject,
  type ResolvedNewJob,
} from '../../jobs/model.js';
import { jobAsInserted } from '../../jobs/new-job.js';

export interface PgJobRow {
  id: string;
  kind: string;
  user_id: string | null;
  lesson_id: string | null;
  status: string;
  priority: number;
  payload: JsonObject;
  progress: number;
  stage: string | null;
  message: string;
  created_at: Date;
  updated_at: Date;
  run_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  timeout_seconds: number;
  attempt: number;
  retry_count: number;
  max_retries: number;
  worker_id: string | null;
  lease_expires_at: Date | null;
  last_heartbeat: Date | null;
  cancel_requested_at: Date | null;
  cancel_reason: string | null;
  result: JsonObject | null;
  error_code: string | null;
  error_message: string | null;
  error_details: JsonObject | null;
  idempotency_key: string | null;
  processing_time_seconds: number | null;
  cost_points: number;
  points_charged: number;
}

export interface PgEventRow {
  id: number;
  job_id: string;
  at: Date;
  type: string;
  status: string;
  progress: number;
  stage: string | null;
  message: string | null;
  attempt: number;
  worker_id: string | null;
  data: JsonObject | null;
}

export function jobFromPg(row: PgJobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    lessonId: row.lesson_id,
    status: row.status as JobStatus,
    priority: priorityFromRank(row.priority),
    payload: row.payload,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runAt: row.run_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    timeoutSeconds: row.timeout_seconds,
    attempt: row.attempt,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    workerId: row.worker_id,
    leaseExpiresAt: row.lease_expires_at,
    lastHeartbeat: row.last_heartbeat,
    cancelRequestedAt: row.cancel_requested_at,
    cancelReason: row.cancel_reason,
    result: row.result,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorDetails: row.error_details,
    idempotencyKey: row.idempotency_key,
    processingTimeSeconds: row.processing_time_seconds,
  };
}

/** What a batch insert returns: the clock that stamped the jobs and which keyed jobs it inserted. */
export interface PgInsertedBatch {
  /** The jobs with an idempotency key that were inserted; the others had their key taken. */
  keyed_ids: string[];
  /** `now` truncated to the millisecond, as created_at is stored. */
  created_at: Date;
  now: Date;
}

/** A job of `batch` as it was stored: pending, its times from the batch's clock. */
export function insertedJobFromPg(job: ResolvedNewJob, batch: PgInsertedBatch): Job {
  return jobAsInserted(job, { createdAt: batch.created_at, updatedAt: batch.now });
}

export function eventFromPg(row: PgEventRow): JobEvent {
  return {
    id: Number(row.id),
    jobId: row.job_id,
    at: row.at,
    type: row.type as JobEventType,
    status: row.status as JobStatus,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    attempt: row.attempt,
    workerId: row.worker_id,
    data: row.data,
  };
}
