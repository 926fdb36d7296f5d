/**
 * The job model of the durable queue (DESIGN §3). It knows nothing of video: a job has a `kind`, and
 * a handler registered for that kind does the work.
 */

/**
 * `waiting`: the job names parents (`dependsOn`) that have not all completed; it becomes `pending`
 * in the transaction of the last one's completion (migration 0030).
 */
export const JOB_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'waiting',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves by itself (only a manual retry moves it again). */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled', 'timeout'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/**
 * What a parent that ends failed, timed out or cancelled does to a waiting child: the child ends
 * failed (`fail`, the default; error PARENT_FAILED or PARENT_CANCELLED), ends cancelled (`cancel`),
 * or counts the parent as settled and runs once the others are (`run`).
 */
export const ON_PARENT_FAILURE = ['fail', 'cancel', 'run'] as const;
export type OnParentFailure = (typeof ON_PARENT_FAILURE)[number];

/** The error codes of a job that a parent's end failed or cancelled; a retry of the parent revives it. */
export const PARENT_ERROR_CODES = ['PARENT_FAILED', 'PARENT_CANCELLED'] as const;

/** Lowest first: the index is the rank stored in the database, higher runs first. */
export const JOB_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export function priorityRank(priority: JobPriority): number {
  return JOB_PRIORITIES.indexOf(priority);
}

export function priorityFromRank(rank: number): JobPriority {
  const priority = JOB_PRIORITIES[rank];
  if (priority === undefined) throw new RangeError(`unknown priority rank ${rank}`);
  return priority;
}

export function isFinished(status: JobStatus): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Job {
  id: string;
  kind: string;
  userId: string | null;
  lessonId: string | null;
  status: JobStatus;
  priority: JobPriority;
  payload: JsonObject;
  progress: number;
  stage: string | null;
  message: string;
  createdAt: Date;
  updatedAt: Date;
  runAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  timeoutSeconds: number;
  /**
   * When the current attempt times out (database clock): `timeoutSeconds` after its first run
   * started. A job that waits for jobs it started keeps it across the wait, so the timeout bounds the
   * whole attempt, not each run (migration 0036). Null before the attempt's first run.
   */
  deadlineAt: Date | null;
  /** Times the job was claimed; the fencing token of the current lease. */
  attempt: number;
  /** Retries used so far (a failed or timed-out attempt that was re-queued, or a manual retry). */
  retryCount: number;
  maxRetries: number;
  /**
   * Attempts lost with their worker (it died or froze past its lease; the job was recovered). They
   * use up no retry; past MAX_LOST_ATTEMPTS the job fails `WORKER_LOST_REPEATEDLY`.
   */
  lostAttempts: number;
  workerId: string | null;
  leaseExpiresAt: Date | null;
  lastHeartbeat: Date | null;
  cancelRequestedAt: Date | null;
  cancelReason: string | null;
  result: JsonObject | null;
  errorCode: string | null;
  errorMessage: string | null;
  errorDetails: JsonObject | null;
  idempotencyKey: string | null;
  processingTimeSeconds: number | null;
}

/** What a caller asks for; `resolveNewJob` fills the defaults from the config. */
export interface NewJob {
  kind: string;
  payload?: JsonObject;
  priority?: JobPriority;
  runAt?: Date;
  timeoutSeconds?: number;
  maxRetries?: number;
  userId?: string | null;
  lessonId?: string | null;
  idempotencyKey?: string | null;
  /**
   * Points charged to the owner when the job is inserted (default 0), refunded when it ends failed,
   * cancelled or timed out. The database enforces it; a job without a user is never charged.
   */
  costPoints?: number;
  /**
   * Ids of jobs this one waits for (its parents): it is `waiting` until every one completes. Each
   * must exist and have the same owner (PARENT_NOT_FOUND otherwise); a job's parents never change.
   */
  dependsOn?: readonly string[];
  /** What a parent's failure or cancellation does to this job (default `fail`). */
  onParentFailure?: OnParentFailure;
}

/** A new job with every default resolved and every field validated. */
export interface ResolvedNewJob {
  id: string;
  kind: string;
  payload: JsonObject;
  priority: JobPriority;
  runAt: Date | null;
  timeoutSeconds: number;
  maxRetries: number;
  userId: string | null;
  lessonId: string | null;
  idempotencyKey: string | null;
  costPoints: number;
  /** Its parents, each once (absent or empty: none). */
  dependsOn?: readonly string[];
  /** Absent: `fail`. */
  onParentFailure?: OnParentFailure;
}

/** A job's place in a graph of jobs: what it waits for and what waits for it. */
export interface JobDependencies {
  parentIds: string[];
  childIds: string[];
  onParentFailure: OnParentFailure;
}

/** The right to write to a running job: every worker write is fenced on all three. */
export interface Lease {
  jobId: string;
  attempt: number;
  workerId: string;
}

export function leaseOf(job: Job): Lease {
  if (job.status !== 'running' || job.workerId === null) {
    throw new RangeError(`job ${job.id} is ${job.status}, it has no lease`);
  }
  return { jobId: job.id, attempt: job.attempt, workerId: job.workerId };
}

export interface JobEvent {
  id: number;
  jobId: string;
  at: Date;
  type: JobEventType;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  attempt: number;
  workerId: string | null;
  data: JsonObject | null;
}

export const JOB_EVENT_TYPES = [
  'created',
  'started',
  'progress',
  'completed',
  'failed',
  'retry_scheduled',
  'timeout',
  'cancel_requested',
  'cancelled',
  'released',
  'recovered',
  'retried',
  /** A pending job's priority was changed; data `{priority}` names the new one. */
  'priority_changed',
  /** A waiting job's parents are settled: it is pending. Data `{parent_id}`: the last one. */
  'ready',
  /**
   * A running job handed its worker back to wait for jobs it started (`JobStore.waitForJobs`): data
   * `{job_ids}`. It is `waiting`, or `pending` when they had all ended already.
   */
  'waiting',
] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Job ids are UUIDs; anything else cannot name a job. */
export function isJobId(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Progress is a whole percent from 0 to 100. */
export function clampProgress(progress: number): number {
  if (!Number.isFinite(progress)) return 0;
  return Math.min(100, Math.max(0, Math.round(progress)));
}
