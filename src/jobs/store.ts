/**
 * The queue's operations, stated without driver types. `src/db/sqlite` and `src/db/postgres` each
 * implement this interface; one conformance suite proves they behave the same.
 *
 * Every write a worker makes is fenced on (id, attempt, worker id, status = running): a worker that
 * lost its lease changes nothing and gets a `LEASE_LOST` error at once.
 */
import type { CleanupFilter } from './cleanup-filter.js';
import type { ReelqueueError } from '../errors.js';
import type { WorkerProcess, recordableIdentity } from './worker-processes.js';
import type { JobTimeSeries, TimeBucket } from './time-series.js';
import type {
  FinishedStatus,
  Job,
  JobDependencies,
  JobEvent,
  JobPriority,
  JobStatus,
  JsonObject,
  Lease,
  OnParentFailure,
  ResolvedNewJob,
} from './model.js';

/** Who is asking: an admin (or the system) sees every job, a user only their own. */
export type Scope = { readonly all: true } | { readonly all: false; readonly userId: string };
export const ALL_JOBS: Scope = Object.freeze({ all: true });

/** `listEvents` after this id: a job's whole log, its `created` event (id 0) first. */
export const FROM_THE_START = -1;

export function ownedBy(userId: string): Scope {
  return Object.freeze({ all: false, userId });
}
/** Whether a job owned by `ownerId` is within `scope`. */
export function inScope(scope: Scope, ownerId: string | null): boolean {
  return scope.all || ownerId === scope.userId;
}

/** A process identity with every field a worker record needs. */
export type RecordableIdentity = NonNullable<ReturnType<typeof recordableIdentity>>;

export interface EnqueueResult {
  job: Job;
  /** False when an idempotency key matched an existing job, which is returned instead. */
  created: boolean;
}

export interface EnqueueOptions {
  /** Most pending + running jobs the owner may have, this one included (owned jobs only). */
  activeLimit?: number;
}

export interface ClaimRequest {
  workerId: string;
  kinds: readonly string[];
  limit: number;
  leaseSeconds: number;
}

export type HeartbeatOutcome =
  | { jobId: string; state: 'held' }
  | { jobId: string; state: 'cancel_requested'; reason: string | null }
  | { jobId: string; state: 'lost' };

export interface ProgressUpdate {
  progress: number;
  stage: string | null;
  message: string;
  /** Kept in the `progress` event's `data` (a report a client must be able to read later). */
  data?: JsonObject | null;
}

export interface Completion {
  lease: Lease;
  result: JsonObject;
  /** Removes `lesson`, `markdown` and `script` from the job's payload in the same write. */
  clearLessonText?: boolean;
}

export interface Failure {
  code: string;
  message: string;
  details: JsonObject | null;
  /** The status the job ends in when no retry is left. */
  terminalStatus: Extract<FinishedStatus, 'failed' | 'timeout'>;
  /** Seconds until the retry runs, or null when the job must not be retried. */
  retryAfterSeconds: number | null;
}

export interface ListFilter {
  statuses?: readonly JobStatus[];
  priorities?: readonly JobPriority[];
  kinds?: readonly string[];
  /** Jobs whose id starts with these hex digits (hyphens optional; see id-prefix.ts). */
  idPrefix?: string;
  includeFinished?: boolean;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}

export interface PositionedJob {
  job: Job;
  /** Pending jobs that will be claimed before this one; null when it is not pending. */
  queuePosition: number | null;
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

export interface CancelOutcome {
  job: Job;
  /** `cancelled`: it is cancelled now; `requested`: it is running and its worker was told to stop. */
  state: 'cancelled' | 'requested' | 'already_finished';
}

export interface BulkCancelOutcome {
  cancelled: string[];
  cancelRequested: string[];
  alreadyFinished: string[];
  notFound: string[];
}

/**
 * Why a running job was taken back from its worker, recorded as `cause` in the data of its
 * `recovered` (or `failed`) event: its lease lapsed (the worker died, froze or was too slow to renew
 * it), its heartbeat was older than `recoverStale`'s limit, or its worker's process is proven gone.
 */
export type RecoveryCause = 'lease_expired' | 'heartbeat_stale' | 'worker_gone';

export interface RecoveryOutcome {
  requeued: string[];
  failed: string[];
  cancelled: string[];
}

export interface HealthMetrics {
  total: number;
  pending: number;
  /** Jobs waiting for the jobs they depend on (migration 0030). */
  waiting: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  timeout: number;
  /** Percent of all jobs that ended failed or timeout. */
  failureRate: number;
  oldestPendingJobAgeMinutes: number | null;
}

export interface JobStatistics {
  periodHours: number;
  totals: Record<JobStatus, number>;
  total: number;
  failureRate: number;
  oldestPendingJobAgeMinutes: number | null;
  processingTimeSeconds: {
    count: number;
    average: number | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
  };
  priorityDistribution: Record<JobPriority, number>;
  errorCodes: Record<string, number>;
  retriedJobs: number;
}

export interface RetryRequest {
  force: boolean;
}

export interface RetryOptions {
  /**
   * Most pending + running jobs the job's owner may have once it is queued again (owned jobs only),
   * the same limit `EnqueueOptions.activeLimit` sets for a new job; a function of the owner's id when
   * the limit depends on who owns the job (an admin's own jobs have the admin limit, a user's the
   * user limit, whoever retries them).
   */
  activeLimit?: number | ((ownerId: string) => number);
}

/** What became of one id of a `retryMany`: the job queued again, or why it was refused. */
export type RetryOutcome =
  { jobId: string; job: Job; error: null } | { jobId: string; job: null; error: ReelqueueError };

/** Which jobs `exportJobs` reads: all of them, or those of these statuses, created since then. */
export interface ExportFilter {
  statuses?: readonly JobStatus[];
  /** Jobs created at or after this instant. */
  createdSince?: Date | null;
}

/** One event of a moved job's log; its id is the database's own (a new one where it is imported). */
export type TransferredEvent = Omit<JobEvent, 'id' | 'jobId'>;

/**
 * A job as `exportJobs` reads it and `importJobs` writes it: every column of its row, and its log
 * but the `created` event (each database reads that one from the job itself), oldest first.
 */
export interface TransferredJob {
  job: Job;
  /** Points the job costs its owner (charged again by a manual retry). */
  costPoints: number;
  /** Points charged and not refunded: a refund gives these back to the owner. */
  pointsCharged: number;
  events: TransferredEvent[];
  /** Its parents (`job_dependencies`, migration 0030), in id order; empty when it has none. */
  dependsOn: string[];
  onParentFailure: OnParentFailure;
  /** Parents not yet settled when it was exported: a `waiting` job is pending when this reaches 0. */
  waitingParents: number;
}

/** What `importJobs` does with a job whose id (or owner and idempotency key) is taken. */
export type ImportConflictRule = 'skip' | 'fail';
export const IMPORT_CONFLICT_RULES: readonly ImportConflictRule[] = ['skip', 'fail'];

export interface ImportOutcome {
  imported: string[];
  /** Jobs left out: their id, or their owner and idempotency key, was taken (rule `skip`). */
  skipped: string[];
}

/** What a wake-up says about the jobs it announces (issue 29: how many workers should claim). */
export interface AvailableJobs {
  /** How many jobs were made claimable. */
  count: number;
  /** Their kind when they are all of one kind, else null. */
  kind: string | null;
  /**
   * Set when they are not claimable yet (a retry's delay, a `run_at` ahead): they fall due this many
   * ms after the wake-up was sent. A worker arms a timer of its own for them instead of claiming, so
   * that they are found at their due time even when the process that wrote them has stopped.
   */
  dueInMs?: number;
}

export interface JobStore {
  readonly dialect: 'sqlite' | 'postgres';

  /**
   * Inserts a job (or returns the existing one for the same user and idempotency key). With
   * `activeLimit`, `TOO_MANY_JOBS` when the owner already has that many pending or running jobs:
   * checked and inserted atomically across every process on the database.
   */
  enqueue(job: ResolvedNewJob, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Inserts many jobs in one transaction; results are in input order. */
  enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]>;

  /** Claims up to `limit` runnable jobs in priority order, taking a lease on each. */
  claim(request: ClaimRequest): Promise<Job[]>;
  /**
   * Milliseconds, by the database's clock, until the earliest pending job of `kinds` that is not
   * due yet falls due (a retry's delay, a `run_at` ahead), or null when there is none. One short
   * range of jobs_claim_idx per priority: a worker asks after a claim that found nothing, and arms
   * a timer of its own (issue 29: the process that wrote the job may have stopped).
   */
  msUntilNextDue(kinds: readonly string[]): Promise<number | null>;
  /** Extends the leases still held; tells which were lost and which were asked to cancel. */
  heartbeat(leases: readonly Lease[], leaseSeconds: number): Promise<HeartbeatOutcome[]>;
  reportProgress(lease: Lease, update: ProgressUpdate): Promise<void>;
  complete(lease: Lease, result: JsonObject): Promise<Job>;
  /** Completes many jobs in one round trip; for each, true when its lease was still held. */
  completeMany(completions: readonly Completion[]): Promise<boolean[]>;
  fail(lease: Lease, failure: Failure): Promise<Job>;
  /** Ends a running job as cancelled, after its worker stopped the work. */
  markCancelled(lease: Lease, reason: string | null): Promise<Job>;
  /**
   * A running job hands its worker back to wait for `jobIds` (jobs it started, e.g. the segments of
   * a split render), fenced on its lease: it becomes `waiting` on those of them not yet ended, with
   * rule `run` (a child that ends unsuccessfully settles it too; its handler reads their outcomes),
   * and `pending` again once all have ended, or at once when none is left. No attempt is used up,
   * and the attempt keeps its deadline (`Job.deadlineAt`): the wait counts toward its timeout.
   * LEASE_LOST, with nothing written, when the lease is gone.
   */
  waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job>;
  /**
   * Progress of a `waiting` job made by the jobs it waits for (a split render's segments), with a
   * `progress` event; the bar never goes back. False, with nothing written, when it is not waiting.
   */
  reportWaitingProgress(jobId: string, update: ProgressUpdate): Promise<boolean>;
  /**
   * Gives running jobs back to the queue without using up an attempt (worker shutdown); a job whose
   * cancellation was requested ends cancelled instead. Returns the ids put back in the queue.
   */
  release(leases: readonly Lease[]): Promise<string[]>;

  get(id: string, scope: Scope): Promise<Job | null>;
  list(filter: ListFilter, scope: Scope): Promise<JobPage>;
  /** A job with its queue position, read together (one round trip): what a client polls. */
  getWithPosition(id: string, scope: Scope): Promise<PositionedJob | null>;
  /**
   * The queue positions of those of `ids` that are pending (how many pending jobs are claimed before
   * each), read in one query: a listing's page. Ids of other jobs, or of none, are left out.
   */
  queuePositions(ids: readonly string[]): Promise<Map<string, number>>;
  /**
   * Those of `ids` that are jobs in this database, whoever owns them, read in one query (an
   * import's check that the parents its lines name exist). Ids that are not job ids are left out.
   */
  storedIds(ids: readonly string[]): Promise<Set<string>>;
  /**
   * The jobs `id` waits for and those that wait for it (migration 0030), with its rule for a
   * parent's failure; null when the job is not in the scope.
   */
  dependencies(id: string, scope: Scope): Promise<JobDependencies | null>;
  /**
   * A job's events with ids above `afterEventId`, oldest first. The `created` event, read from the
   * job itself, is event 0: `FROM_THE_START` reads the whole log, 0 everything after it.
   */
  listEvents(jobId: string, afterEventId: number, limit: number): Promise<JobEvent[]>;

  cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome>;
  cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome>;
  /**
   * Sets a pending job's priority, moving its place in the claim order, with a `priority_changed`
   * event. Guarded on `status = 'pending'` in the same statement, so a claim racing it either takes
   * the job first (JOB_NOT_PENDING) or sees the new priority. JOB_NOT_FOUND outside the scope.
   */
  changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job>;
  /**
   * Re-queues a finished job; without `force`, only while retries are left. It charges the job's
   * cost again (INSUFFICIENT_POINTS when short). With `activeLimit`, TOO_MANY_JOBS when the owner
   * already has that many pending or running jobs: checked and re-queued atomically across every
   * process on the database, like `enqueue`.
   */
  retry(id: string, request: RetryRequest, scope: Scope, options?: RetryOptions): Promise<Job>;
  /**
   * Retries each id once, in order of first appearance, in one transaction, as `retry` would; the
   * outcome of each says whether it was queued again or the error that refused it (a refused id
   * changes nothing). Only refusals are reported per id: any other error fails the whole call.
   */
  retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options?: RetryOptions,
  ): Promise<RetryOutcome[]>;

  /**
   * Ends `timeout` (JOB_TIMEOUT) the waiting jobs whose attempt's deadline (`Job.deadlineAt`) passed
   * while they waited for the jobs they started, with a `timeout` event each, whatever retries they
   * have left; returns them. Safe on any number of nodes at once (each job is ended by one of them).
   */
  timeOutWaiting(): Promise<Job[]>;
  /** Re-queues running jobs whose lease lapsed (or fails them when out of retries). */
  recoverExpiredLeases(): Promise<RecoveryOutcome>;
  /** Re-queues running jobs whose last heartbeat is older than the given minutes, lease or not. */
  recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome>;
  /**
   * Re-queues (as `recoverExpiredLeases` does) the running jobs of these workers, whatever their
   * leases say: only for workers whose process is proven gone.
   */
  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome>;

  /** Records a worker's process identity (`worker_processes`); replaces an earlier record. */
  registerWorker(workerId: string, identity: RecordableIdentity): Promise<void>;
  unregisterWorkers(workerIds: readonly string[]): Promise<void>;
  /** The registered workers whose record names this hostname. */
  workersOnHost(hostname: string): Promise<WorkerProcess[]>;
  /**
   * Deletes finished jobs (with their events and artifacts) that finished more than `maxAgeHours`
   * ago, or were created then with `ageFrom: 'created'`, of the filter's statuses; returns how many.
   */
  cleanup(maxAgeHours: number, scope: Scope, filter?: CleanupFilter): Promise<number>;
  /**
   * Takes this interval's run of the scheduled maintenance `name` for `node`: true for one caller
   * per `intervalSeconds` (database clock), whatever the number of nodes asking.
   */
  /**
   * Deletes one finished job of the scope with its events, video and thumbnail (they cascade).
   * JOB_NOT_FOUND outside the scope, JOB_NOT_FINISHED while it is pending or running (cancel it first).
   */
  deleteJob(id: string, scope: Scope): Promise<void>;
  claimMaintenanceRun(name: string, intervalSeconds: number, node: string): Promise<boolean>;
  /**
   * Video retention: deletes the video and thumbnail of completed jobs that completed more than
   * `maxAgeHours` ago; the job stays, its result says `video_expired: true` and when. Returns how many.
   */
  expireVideos(maxAgeHours: number): Promise<number>;

  /**
   * Jobs by status, the failure rate and the oldest pending job's age. With `hours`, the counts and
   * the failure rate are of the jobs created in the last `hours` (seed 003's `health?hours`); the
   * oldest pending job's age is the queue's, whatever the window. Without it, of every job.
   */
  health(scope: Scope, hours?: number | null): Promise<HealthMetrics>;
  statistics(hours: number, scope: Scope): Promise<JobStatistics>;
  /**
   * The last `hours` bucket by bucket (src/jobs/time-series.ts), in the scope. `VALIDATION_FAILED`
   * when `hours` is above `MAX_SERIES_HOURS[bucket]`.
   */
  timeSeries(hours: number, bucket: TimeBucket, scope: Scope): Promise<JobTimeSeries>;

  /**
   * Moves at most one batch of waiting rollup deltas into the statistics rollups; returns how many.
   * Safe on any number of nodes at once (each delta is moved by one of them).
   */
  foldRollups(): Promise<number>;
  /** Counts the statistics rollups again from the jobs (`reelqueue stats --rebuild`). */
  rebuildRollups(): Promise<void>;

  /**
   * Up to `limit` jobs of the filter whose ids sort after `afterId` (from the start when null), in
   * id order, each with every column and its events: a page of an export (`reelqueue jobs export`).
   */
  exportJobs(filter: ExportFilter, afterId: string | null, limit: number): Promise<TransferredJob[]>;
  /**
   * Inserts the jobs as they are given (ids, statuses, times, attempts, points and events kept; the
   * events get new ids of this database, in the given order) in one transaction. The owners' points
   * are not touched. A job whose id, or owner and idempotency key, is taken is skipped (`skip`), or
   * refuses the whole call with IMPORT_CONFLICT and nothing written (`fail`). The statistics
   * rollups count the jobs as any insert's (their deltas).
   */
  importJobs(records: readonly TransferredJob[], onConflict: ImportConflictRule): Promise<ImportOutcome>;

  /**
   * Calls back when a job may be claimable (new job, retry, release), with what the wake-up says of
   * the jobs when it says it (`AvailableJobs`). Returns an unsubscribe.
   */
  onJobAvailable(listener: (jobs?: AvailableJobs) => void): () => void;
  /**
   * Calls back when a write of this store, in this process, made jobs claimable that its caller
   * cannot see (issue 29): children a parent's end readied, webhook deliveries queued for finished
   * jobs (both by the database, in the write's transaction), and jobs queued with a `run_at` ahead (a
   * retry's delay) once they fall due. What the store's own wake-ups (NOTIFY, the wake file) carry
   * already; a decorator that sends wake-ups another way (Redis) sends these too. Returns an
   * unsubscribe.
   */
  onJobsReadied(listener: (jobs: AvailableJobs) => void): () => void;
  /** Calls back with the id of a running job whose cancellation was requested. */
  onCancelRequested(listener: (jobId: string) => void): () => void;

  /** Resolves when the database answers; rejects with the driver's error when it does not. */
  ping(): Promise<void>;
}
