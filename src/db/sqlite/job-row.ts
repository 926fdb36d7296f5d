/** `jobs` and `job_events` rows as SQLite returns them, and their mapping to the domain model. */
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

export interface SqliteJobRow {
  id: string;
  kind: string;
  user_id: string | null;
  lesson_id: string | null;
  status: string;
  priority: number;
  payload: string;
  progress: number;
  stage: string | null;
  message: string;
  created_at: number;
  updated_at: number;
  run_at: number;
  started_at: number | null;
  completed_at: number | null;
  timeout_seconds: number;
  attempt: number;
  retry_count: number;
  max_retries: number;
  worker_id: string | null;
  lease_expires_at: number | null;
  last_heartbeat: number | null;
  cancel_requested_at: number | null;
  cancel_reason: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  error_details: string | null;
  idempotency_key: string | null;
  processing_time_seconds: number | null;
  cost_points: number;
  points_charged: number;
}

/** A job as `insertMany` stores it: pending, stamped with its transaction's clock reading `now` (ms). */
export function insertedJobAt(job: ResolvedNewJob, now: number): Job {
  const at = new Date(now);
  return jobAsInserted(job, { createdAt: at, updatedAt: at });
}

export interface SqliteEventRow {
  id: number;
  job_id: string;
  at: number;
  type: string;
  status: string;
  progress: number;
  stage: string | null;
  message: string | null;
  attempt: number;
  worker_id: string | null;
  data: string | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const json = (text: string | null): JsonObject | null =>
  text === null ? null : (JSON.parse(text) as JsonObject);

export function jobFromSqlite(row: SqliteJobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    lessonId: row.lesson_id,
    status: row.status as JobStatus,
    priority: priorityFromRank(row.priority),
    payload: JSON.parse(row.payload) as JsonObject,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    runAt: new Date(row.run_at),
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    timeoutSeconds: row.timeout_seconds,
    attempt: row.attempt,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    workerId: row.worker_id,
    leaseExpiresAt: date(row.lease_expires_at),
    lastHeartbeat: date(row.last_heartbeat),
    cancelRequestedAt: date(row.cancel_requested_at),
    cancelReason: row.cancel_reason,
    result: json(row.result),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorDetails: json(row.error_details),
    idempotencyKey: row.idempotency_key,
    processingTimeSeconds: row.processing_time_seconds,
  };
}

export function eventFromSqlite(row: SqliteEventRow): JobEvent {
  return {
    id: row.id,
    jobId: row.job_id,
    at: new Date(row.at),
    type: row.type as JobEventType,
    status: row.status as JobStatus,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    attempt: row.attempt,
    workerId: row.worker_id,
    data: json(row.data),
  };
}
