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
import { JOB_COLUMNS } from '../job-columns.js';

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
  lost_attempts: number;
  deadline_at: number | null;
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
 * The fields of a job, in the order in which the job statements return them (`JOB_ARRAY` of
 * sql/jobs-sql.ts): each job as one JSON array instead of 32 columns. better-sqlite3 hands each
 * column to JavaScript at a cost of its own; one text per job, read by `JSON.parse`, costs less (a
 * one-row read 4.9 → 3.9 µs; drains 3–19 % faster, see CHANGELOG). `cost_points` and
 * `points_charged` are not part of a job. A REAL in SQLite's JSON keeps 15 significant digits:
 * `processing_time_seconds`, milliseconds over 1000, comes back exactly.
 */
export const JOB_FIELDS = JOB_COLUMNS satisfies readonly (keyof SqliteJobRow)[];

/** Fields stored as JSON text, which `JOB_ARRAY` embeds as JSON values (parsed with the array). */
export const JSON_FIELDS: ReadonlySet<string> = new Set<(typeof JOB_FIELDS)[number]>([
  'payload',
  'result',
  'error_details',
]);

const at = (name: (typeof JOB_FIELDS)[number]): number => JOB_FIELDS.indexOf(name);
const I = {
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
  lostAttempts: at('lost_attempts'),
  deadlineAt: at('deadline_at'),
};

/** A job from the text of one `JOB_ARRAY`. */
export function jobFromArray(text: string): Job {
  const v = JSON.parse(text) as unknown[];
  return {
    id: v[I.id] as string,
    kind: v[I.kind] as string,
    userId: v[I.userId] as string | null,
    lessonId: v[I.lessonId] as string | null,
    status: v[I.status] as JobStatus,
    priority: priorityFromRank(v[I.priority] as number),
    payload: v[I.payload] as JsonObject,
    progress: v[I.progress] as number,
    stage: v[I.stage] as string | null,
    message: v[I.message] as string,
    createdAt: new Date(v[I.createdAt] as number),
    updatedAt: new Date(v[I.updatedAt] as number),
    runAt: new Date(v[I.runAt] as number),
    startedAt: date(v[I.startedAt] as number | null),
    completedAt: date(v[I.completedAt] as number | null),
    timeoutSeconds: v[I.timeoutSeconds] as number,
    attempt: v[I.attempt] as number,
    retryCount: v[I.retryCount] as number,
    maxRetries: v[I.maxRetries] as number,
    workerId: v[I.workerId] as string | null,
    leaseExpiresAt: date(v[I.leaseExpiresAt] as number | null),
    lastHeartbeat: date(v[I.lastHeartbeat] as number | null),
    cancelRequestedAt: date(v[I.cancelRequestedAt] as number | null),
    cancelReason: v[I.cancelReason] as string | null,
    result: v[I.result] as JsonObject | null,
    errorCode: v[I.errorCode] as string | null,
    errorMessage: v[I.errorMessage] as string | null,
    errorDetails: v[I.errorDetails] as JsonObject | null,
    idempotencyKey: v[I.idempotencyKey] as string | null,
    processingTimeSeconds: v[I.processingTimeSeconds] as number | null,
    lostAttempts: v[I.lostAttempts] as number,
    deadlineAt: date(v[I.deadlineAt] as number | null),
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
