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

/**
 * Reads a job from the values of one row of a statement returning `jobs` columns in `columns`' order
 * (better-sqlite3's raw mode). A row as an array, not an object: building an object of 32 named
 * columns costs better-sqlite3 more than the statement (6 of 17 µs for a job read by id).
 */
export function jobReader(columns: readonly string[]): (values: readonly unknown[]) => Job {
  const at = (name: keyof SqliteJobRow): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`a job statement must return column ${name}`);
    return index;
  };
  const c = {
    id: at('id'),
    kind: at('kind'),
    userId: at('user_id'),
    lessonId: at('lesson_id'),
    status: at('status'),
    priority: at('priority'),
    payload: at('payload'),
    progress: at('progress'),
    stage: at('stage'),
    message: at('message'),
    createdAt: at('created_at'),
    updatedAt: at('updated_at'),
    runAt: at('run_at'),
    startedAt: at('started_at'),
    completedAt: at('completed_at'),
    timeoutSeconds: at('timeout_seconds'),
    attempt: at('attempt'),
    retryCount: at('retry_count'),
    maxRetries: at('max_retries'),
    workerId: at('worker_id'),
    leaseExpiresAt: at('lease_expires_at'),
    lastHeartbeat: at('last_heartbeat'),
    cancelRequestedAt: at('cancel_requested_at'),
    cancelReason: at('cancel_reason'),
    result: at('result'),
    errorCode: at('error_code'),
    errorMessage: at('error_message'),
    errorDetails: at('error_details'),
    idempotencyKey: at('idempotency_key'),
    processingTimeSeconds: at('processing_time_seconds'),
  };
  return (v) => ({
    id: v[c.id] as string,
    kind: v[c.kind] as string,
    userId: v[c.userId] as string | null,
    lessonId: v[c.lessonId] as string | null,
    status: v[c.status] as JobStatus,
    priority: priorityFromRank(v[c.priority] as number),
    payload: JSON.parse(v[c.payload] as string) as JsonObject,
    progress: v[c.progress] as number,
    stage: v[c.stage] as string | null,
    message: v[c.message] as string,
    createdAt: new Date(v[c.createdAt] as number),
    updatedAt: new Date(v[c.updatedAt] as number),
    runAt: new Date(v[c.runAt] as number),
    startedAt: date(v[c.startedAt] as number | null),
    completedAt: date(v[c.completedAt] as number | null),
    timeoutSeconds: v[c.timeoutSeconds] as number,
    attempt: v[c.attempt] as number,
    retryCount: v[c.retryCount] as number,
    maxRetries: v[c.maxRetries] as number,
    workerId: v[c.workerId] as string | null,
    leaseExpiresAt: date(v[c.leaseExpiresAt] as number | null),
    lastHeartbeat: date(v[c.lastHeartbeat] as number | null),
    cancelRequestedAt: date(v[c.cancelRequestedAt] as number | null),
    cancelReason: v[c.cancelReason] as string | null,
    result: json(v[c.result] as string | null),
    errorCode: v[c.errorCode] as string | null,
    errorMessage: v[c.errorMessage] as string | null,
    errorDetails: json(v[c.errorDetails] as string | null),
    idempotencyKey: v[c.idempotencyKey] as string | null,
    processingTimeSeconds: v[c.processingTimeSeconds] as number | null,
  });
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
