/** `jobs` and `job_events` rows as the stores read them from PostgreSQL, and their mapping to the model. */
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
import { parseTimestamptz } from './timestamp-parser.js';

/** The columns of `jobs` but its times, as the driver and JSON both give them. */
interface PgJobFields {
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
  timeout_seconds: number;
  attempt: number;
  retry_count: number;
  max_retries: number;
  lost_attempts: number;
  worker_id: string | null;
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

/** The times of `jobs`, each a `T`. */
interface PgJobTimes<T> {
  created_at: T;
  updated_at: T;
  run_at: T;
  started_at: T | null;
  completed_at: T | null;
  lease_expires_at: T | null;
  last_heartbeat: T | null;
  cancel_requested_at: T | null;
  deadline_at: T | null;
}

/** A `jobs` row as 32 columns: what the statements that return many jobs give (claims, listings). */
export type PgJobRow = PgJobFields & PgJobTimes<Date>;

/**
 * A `jobs` row as one `to_json` value, the `job` column of the statements that return one job; times
 * are text in PostgreSQL's JSON form. The driver rebuilds its per-column parsers from each result's
 * row description: a one-job read cost the process 30 µs of CPU as 32 columns and 18 µs as one json
 * column, the server 21 and 18.5 µs (bench/tools/pg-row-cost.ts). Statements that return many jobs
 * return columns (`PgJobRow`): for a page of 21, JSON saved the process 14 µs and cost the server 42.
 */
export type PgJobJson = PgJobFields & PgJobTimes<string>;

/** What a statement returning jobs as JSON gives per row. */
export interface PgJobColumn {
  job: PgJobJson;
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

const timeOrNull = <T>(value: T | null, time: (value: T) => Date): Date | null =>
  value === null ? null : time(value);

function jobOf<T>(row: PgJobFields & PgJobTimes<T>, time: (value: T) => Date): Job {
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
    createdAt: time(row.created_at),
    updatedAt: time(row.updated_at),
    runAt: time(row.run_at),
    startedAt: timeOrNull(row.started_at, time),
    completedAt: timeOrNull(row.completed_at, time),
    timeoutSeconds: row.timeout_seconds,
    attempt: row.attempt,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    lostAttempts: row.lost_attempts,
    workerId: row.worker_id,
    leaseExpiresAt: timeOrNull(row.lease_expires_at, time),
    lastHeartbeat: timeOrNull(row.last_heartbeat, time),
    cancelRequestedAt: timeOrNull(row.cancel_requested_at, time),
    cancelReason: row.cancel_reason,
    result: row.result,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorDetails: row.error_details,
    idempotencyKey: row.idempotency_key,
    processingTimeSeconds: row.processing_time_seconds,
    deadlineAt: timeOrNull(row.deadline_at, time),
  };
}

const sameDate = (date: Date): Date => date;

export const jobFromPg = (row: PgJobRow): Job => jobOf(row, sameDate);
export const jobFromPgJson = (json: PgJobJson): Job => jobOf(json, parseTimestamptz);

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
