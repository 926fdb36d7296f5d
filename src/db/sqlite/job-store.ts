/**
 * The job store on SQLite. Every read-then-write runs in a `BEGIN IMMEDIATE` transaction (one
 * synchronous call, so it never interleaves with other work in this process); a lock held by another
 * process is waited for asynchronously (`withBusyRetry`).
 */
import { maintenanceSql } from './sql/maintenance-sql.js';
import { timeSeriesSql } from './sql/time-series-sql.js';
import {
  BUCKET_SECONDS,
  checkedSeriesWindow,
  pointFromRow,
  type JobTimeSeries,
  type TimeBucket,
  type TimeSeriesRow,
} from '../../jobs/time-series.js';
import { CleanupBatchSize } from '../../jobs/cleanup-batches.js';
import { cleanupStatuses, jobNotDeleted, type CleanupFilter } from '../../jobs/cleanup-filter.js';
import { encodeCursor } from '../../jobs/cursor.js';
import {
  checkedEventsPage,
  checkedHours,
  checkedLimit,
  checkedMinutes,
} from '../../jobs/numeric-arguments.js';
import {
  isJobId,
  priorityRank,
  clampProgress,
  type Job,
  type JobEvent,
  type JobPriority,
  type JobEventType,
  type JobDependencies,
  type JsonObject,
  type Lease,
  type OnParentFailure,
  type ResolvedNewJob,
} from '../../jobs/model.js';
import { initialDependencyState, parentNotFound, type ParentState } from '../../jobs/dependencies.js';
import { countsByPriority, countsByStatus, healthFrom, percentileIndex } from '../../jobs/statistics.js';
import type {
  AvailableJobs,
  BulkCancelOutcome,
  CancelOutcome,
  ClaimRequest,
  Completion,
  EnqueueOptions,
  EnqueueResult,
  Failure,
  HealthMetrics,
  HeartbeatOutcome,
  JobPage,
  JobStatistics,
  JobStore,
  ListFilter,
  PositionedJob,
  ProgressUpdate,
  RecoveryCause,
  RecoveryOutcome,
  RetryOptions,
  RetryOutcome,
  RecordableIdentity,
  RetryRequest,
  Scope,
  ExportFilter,
  ImportConflictRule,
  ImportOutcome,
  TransferredJob,
} from '../../jobs/store.js';
import {
  checkRetryable,
  importOutcome,
  jobIdTaken,
  jobNotFound,
  jobNotPending,
  keyedJobVanished,
  leaseLost,
  tooManyJobs,
} from '../../jobs/store-errors.js';
import { activeLimitFor, distinctIds, refusedRetry } from '../../jobs/manual-retry.js';
import { chargedOwners } from '../../users/points.js';
import { completedInOrder, completionsJson } from '../completion-batch.js';
import { newJobsJson } from '../new-jobs-batch.js';
import { withBusyRetry } from './busy-retry.js';
import { ReadBatcher } from './read-batcher.js';
import type { SqliteDatabase } from './connection.js';
import { eventFromSqlite, insertedJobAt, jobFromArray, type SqliteEventRow } from './job-row.js';
import { holdSignals, type SqliteSignals } from './signals.js';
import { addAvailable, availableJobs, DueWakeUps, splitByDue } from '../../jobs/due-wake-ups.js';
import { EventEmitter } from 'node:events';
import { boundCount } from './sql/bound-count.js';
import { heartbeatOlderThan, jobsSql, leaseExpired } from './sql/jobs-sql.js';
import { listingStatement } from './sql/listing-sql.js';
import { rollupsSql } from './sql/rollups-sql.js';
import { transferSql } from './sql/transfer-sql.js';
import {
  checkParentsExist,
  firstOfEachId,
  importedColumns,
  parentsOf,
  withEvents,
  type DependencyRow,
} from '../transfer-rows.js';
import {
  durationCount,
  EXACT_DURATIONS_LIMIT,
  FOLD_BATCH,
  FOLD_BEFORE_READ_BACKLOG,
  healthFromRollups,
  rollupWindow,
  statisticsFromRollups,
  withEdge,
  type CountRow,
  type WindowRows,
} from '../../jobs/rollup-statistics.js';
import { heldByWorkers, workersSql } from './sql/workers-sql.js';
import {
  workerProcessFromRow,
  type WorkerProcess,
  type WorkerProcessRow,
} from '../../jobs/worker-processes.js';
import { mapPointsError } from './user-points.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;
/** Who a job charges, and how much (`jobsSql.selectCharge`). */
interface OwnerCharge {
  userId: string | null;
  costPoints: number;
}

/** Resolves after the event loop's next turn, so timers and I/O waiting meanwhile run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `PRAGMA auto_vacuum` of a database whose free pages `incremental_vacuum` returns. */
const INCREMENTAL_AUTO_VACUUM = 2;
/** Free pages given back per transaction after a cleanup: 4 MiB of 4 KiB pages. */
const VACUUM_STEP_PAGES = 1_024;

export class SqliteJobStore implements JobStore {
  readonly dialect = 'sqlite' as const;
  readonly #db: SqliteDatabase;
  readonly #signals: SqliteSignals;
  /** Jobs with a `run_at` ahead, announced when they fall due. */
  readonly #due: DueWakeUps;
  readonly #readied = new EventEmitter<{ readied: [AvailableJobs] }>();
  readonly #cancelListeners = new Set<(jobId: string) => void>();
  #stopHearingCancels: (() => void) | null = null;
  #closed = false;
  readonly #maxLostAttempts: number;
  readonly #busyRetryMs: number;
  readonly #statements = new Map<string, Statement>();
  readonly #reads: ReadBatcher;
  /** Whether this connection has the fold's temporary table (`rollupsSql.foldTable`). */
  #foldTableMade = false;

  constructor(
    db: SqliteDatabase,
    filename: string,
    options: { busyRetryMs: number; maxLostAttempts: number },
  ) {
    this.#maxLostAttempts = options.maxLostAttempts;
    this.#db = db;
    this.#reads = new ReadBatcher(db, options.busyRetryMs);
    this.#signals = holdSignals(filename);
    this.#busyRetryMs = options.busyRetryMs;
    this.#readied.setMaxListeners(0);
    this.#due = new DueWakeUps(
      (jobs) => this.#announceReadied(jobs),
      (jobs, inMs) => this.#signals.jobsDue(jobs, inMs),
    );
  }

  /**
   * Wakes the workers for jobs that went back to the queue (released, recovered): one counted
   * wake-up per kind, as PostgreSQL's statements send, so that a few idle workers answer each.
   */
  #requeued(jobs: readonly Job[]): void {
    const byKind = new Map<string, number>();
    for (const job of jobs) byKind.set(job.kind, (byKind.get(job.kind) ?? 0) + 1);
    for (const [kind, count] of byKind) this.#signals.jobAvailable({ count, kind });
  }

  /** Wakes the workers for jobs a write made claimable that its caller cannot see (`onJobsReadied`). */
  #announceReadied(jobs: AvailableJobs): void {
    if (jobs.count === 0) return;
    this.#signals.jobAvailable(jobs);
    this.#readied.emit('readied', jobs);
  }

  /**
   * Inside the write that ended jobs: the children it readied (`parents`: ended jobs that may have
   * some) and the webhook deliveries it queued (triggers of migrations 0005 and 0030).
   */
  #readiedBy(parents: readonly string[], webhooks: number): AvailableJobs {
    let jobs: AvailableJobs = { count: webhooks, kind: 'webhook' };
    if (parents.length === 0) return jobs;
    const children = this.#stmt(jobsSql.pendingChildren).get({ ids: JSON.stringify(parents) }) as
      { count: number; first_kind: string | null; last_kind: string | null } | undefined;
    if (children && children.count > 0) {
      const kind = children.first_kind === children.last_kind ? children.first_kind : null;
      jobs = addAvailable(jobs, { count: children.count, kind });
    }
    return jobs;
  }

  /** `#readiedBy` for one job that may have ended. */
  #readiedByEnd(job: Job): AvailableJobs {
    if (job.status === 'pending' || job.status === 'running' || job.status === 'waiting') {
      return { count: 0, kind: null };
    }
    return this.#readiedBy([job.id], typeof job.payload['webhook_url'] === 'string' ? 1 : 0);
  }

  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The job the statement `sql` returns (a `JOB_ARRAY`), if any. */
  #oneJob(sql: string, params: Record<string, unknown>): Job | undefined {
    const text = this.#stmt(sql).pluck().get(params) as string | undefined;
    return text === undefined ? undefined : jobFromArray(text);
  }

  /** Every job the statement `sql` returns (a `JOB_ARRAY` each). */
  #allJobs(sql: string, params: Record<string, unknown>): Job[] {
    return (this.#stmt(sql).pluck().all(params) as string[]).map(jobFromArray);
  }

  /** Runs `work` in BEGIN IMMEDIATE, retrying asynchronously while another process holds the lock. */
  #write<T>(work: () => T): Promise<T> {
    const transaction = this.#db.transaction(work);
    return withBusyRetry(() => transaction.immediate(), this.#busyRetryMs);
  }

  /** Reads go through the batcher: those of one event-loop turn run together (read-batcher.ts). */
  #read<T>(work: () => T): Promise<T> {
    return this.#reads.read(work);
  }

  #appendEvent(job: Job, type: JobEventType, data: JsonObject | null = null, message?: string | null): void {
    this.#stmt(jobsSql.insertEvent).run({
      jobId: job.id,
      type,
      status: job.status,
      progress: job.progress,
      stage: job.stage,
      message: message === undefined ? job.message : message,
      attempt: job.attempt,
      workerId: job.workerId,
      data: data === null ? null : JSON.stringify(data),
    });
  }

  #fenced(sql: string, lease: Lease, params: Record<string, unknown>): Job {
    const job = this.#oneJob(sql, { ...params, ...lease });
    if (!job) throw leaseLost(lease);
    return job;
  }

  /**
   * Runs a statement that may charge a job's owner; a refused charge becomes INSUFFICIENT_POINTS,
   * naming the owners `owners` reads (only then: the statement changed nothing, so they read as before).
   */
  #charging<T>(owners: () => readonly OwnerCharge[], run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw mapPointsError(error, () => chargedOwners(owners()));
    }
  }

  /** The job already queued under `job`'s owner and idempotency key, if any. */
  #existingFor(job: ResolvedNewJob): Job | undefined {
    if (job.idempotencyKey === null) return undefined;
    return this.#oneJob(jobsSql.selectByIdempotencyKey, { userId: job.userId, key: job.idempotencyKey });
  }

  /**
   * Inserts `jobs`, inside the caller's transaction (a job's `created` event is read from the job
   * itself: `selectEvents`). A job whose idempotency key is taken is answered with the job holding
   * it; a taken id refuses the whole batch.
   */
  #insertMany(jobs: readonly ResolvedNewJob[]): EnqueueResult[] {
    const { now } = this.#stmt(jobsSql.now).get({}) as { now: number };
    const input = newJobsJson(jobs);
    let insertedIds: string[];
    try {
      insertedIds = this.#stmt(jobsSql.insertMany).pluck().all({ jobs: input, now }) as string[];
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw mapPointsError(error, () => chargedOwners(jobs));
      }
      const ids = JSON.stringify(jobs.map((job) => job.id));
      throw jobIdTaken(jobs, this.#stmt(jobsSql.selectStoredIds).pluck().all({ ids }) as string[]);
    }
    const inserted = new Set(insertedIds);
    return jobs.map((job): EnqueueResult => {
      if (inserted.has(job.id)) return { job: insertedJobAt(job, now), created: true };
      const existing = this.#existingFor(job);
      if (!existing) throw keyedJobVanished(job);
      return { job: existing, created: false };
    });
  }

  async enqueue(job: ResolvedNewJob, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const { activeLimit } = options;
    const result = await this.#write(() => {
      // BEGIN IMMEDIATE holds the write lock: no other process inserts between the count and this.
      if (activeLimit !== undefined && job.userId !== null) {
        const existing = this.#existingFor(job);
        if (existing) return { job: existing, created: false };
        const { active } = this.#stmt(jobsSql.countActive).get({ userId: job.userId }) as { active: number };
        if (active >= activeLimit) throw tooManyJobs(activeLimit, active);
      }
      return this.#insertOne(job);
    });
    if (result.created) this.#enqueued([result.job]);
    return result;
  }

  async enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]> {
    if (jobs.length === 0) return [];
    // Jobs with parents one by one, in order, so a job may depend on one queued before it in the batch.
    const withParents = jobs.some((job) => (job.dependsOn ?? []).length > 0);
    const results = await this.#write(() =>
      withParents ? jobs.map((job) => this.#insertOne(job)) : this.#insertMany(jobs),
    );
    this.#enqueued(results.flatMap((result) => (result.created ? [result.job] : [])));
    return results;
  }

  /** Wakes the workers for the new jobs due now; those with a `run_at` ahead, when they fall due. */
  #enqueued(jobs: readonly Job[]): void {
    const { now } = splitByDue(jobs);
    if (now.length > 0) this.#signals.jobAvailable(availableJobs(now));
    this.#due.schedule(jobs);
  }

  /** One job, with its parents when it names some, inside the caller's write transaction. */
  #insertOne(job: ResolvedNewJob): EnqueueResult {
    const parentIds = job.dependsOn ?? [];
    if (parentIds.length === 0) return this.#insertMany([job])[0] as EnqueueResult;
    const ids = JSON.stringify(parentIds);
    const parents = this.#stmt(jobsSql.selectParents).all({ ids, userId: job.userId }) as ParentState[];
    if (parents.length < parentIds.length) {
      const found = new Set(parents.map((parent) => parent.id));
      throw parentNotFound(parentIds.filter((id) => !found.has(id)));
    }
    const inserted = this.#insertMany([job])[0] as EnqueueResult;
    if (!inserted.created) return inserted;
    const rule = job.onParentFailure ?? 'fail';
    const state = initialDependencyState(parents, rule);
    this.#stmt(jobsSql.markParents).run({ ids });
    this.#stmt(jobsSql.insertDependencies).run({ childId: job.id, ids });
    const settled = this.#oneJob(jobsSql.settleNewChild, { id: job.id, rule, ...state }) as Job;
    if (state.errorCode !== null) {
      this.#appendEvent(settled, settled.status === 'cancelled' ? 'cancelled' : 'failed', {
        error_code: state.errorCode,
      });
    }
    return { job: settled, created: true };
  }

  async dependencies(id: string, scope: Scope): Promise<JobDependencies | null> {
    if (!isJobId(id)) return null;
    return this.#read(() => {
      const rule = this.#stmt(jobsSql.selectRule)
        .pluck()
        .get({ id, userId: scope.all ? null : scope.userId }) as OnParentFailure | undefined;
      if (rule === undefined) return null;
      return {
        parentIds: this.#stmt(jobsSql.selectParentIds).pluck().all({ id }) as string[],
        childIds: this.#stmt(jobsSql.selectChildIds).pluck().all({ id }) as string[],
        onParentFailure: rule,
      };
    });
  }

  /**
   * The ids of the next `count` events, reserved inside the caller's write transaction: the events'
   * counter moves past them (migration 0034). Returns the id before the first.
   */
  #reserveEventIds(count: number): number {
    const row = this.#stmt(jobsSql.reserveEventIds).get({ count }) as { base: number } | undefined;
    if (!row) throw new Error('The events counter (sqlite_sequence, migration 0034) is missing');
    return row.base;
  }

  /**
   * Each claimed job holds its `started` event under an id reserved above the events' counter
   * (migration 0034); the counter moves past them only when jobs were claimed, so an idle poll writes
   * nothing.
   */
  async claim(request: ClaimRequest): Promise<Job[]> {
    if (request.limit < 1 || request.kinds.length === 0) return [];
    const jobs = await this.#write(() => {
      const eventBase = this.#stmt(jobsSql.eventIdCounter).pluck().get({}) as number | undefined;
      if (eventBase === undefined)
        throw new Error('The events counter (sqlite_sequence, migration 0034) is missing');
      const claimed = this.#allJobs(jobsSql.claim, {
        workerId: request.workerId,
        leaseMs: Math.round(request.leaseSeconds * 1000),
        kinds: JSON.stringify(request.kinds),
        limit: request.limit,
        eventBase,
      });
      if (claimed.length > 0) this.#reserveEventIds(claimed.length);
      return claimed;
    });
    return jobs.sort(claimOrder);
  }

  async msUntilNextDue(kinds: readonly string[]): Promise<number | null> {
    if (kinds.length === 0) return null;
    return this.#read(() => {
      const row = this.#stmt(jobsSql.msUntilNextDue).get({ kinds: JSON.stringify(kinds) }) as {
        ms: number | null;
      };
      return row.ms;
    });
  }

  async heartbeat(leases: readonly Lease[], leaseSeconds: number): Promise<HeartbeatOutcome[]> {
    if (leases.length === 0) return [];
    const leaseMs = Math.round(leaseSeconds * 1000);
    return this.#write(() =>
      leases.map((lease): HeartbeatOutcome => {
        const row = this.#stmt(jobsSql.heartbeat).get({ ...lease, leaseMs }) as
          { cancel_requested_at: number | null; cancel_reason: string | null } | undefined;
        if (!row) return { jobId: lease.jobId, state: 'lost' };
        if (row.cancel_requested_at !== null) {
          return { jobId: lease.jobId, state: 'cancel_requested', reason: row.cancel_reason };
        }
        return { jobId: lease.jobId, state: 'held' };
      }),
    );
  }

  async reportProgress(lease: Lease, update: ProgressUpdate): Promise<void> {
    await this.#write(() => {
      const job = this.#fenced(jobsSql.progress, lease, {
        progress: clampProgress(update.progress),
        stage: update.stage,
        message: update.message,
      });
      this.#appendEvent(job, 'progress', update.data ?? null);
    });
  }

  /**
   * The job holds its `completed` event under an id reserved first (migration 0034), here and in
   * completeMany: a trigger of the completion may store events (a child's `ready`), which take the
   * ids after it.
   */
  async complete(lease: Lease, result: JsonObject): Promise<Job> {
    const { job, readied } = await this.#write(() => {
      const eventId = this.#reserveEventIds(1) + 1;
      const completed = this.#fenced(jobsSql.complete, lease, { result: JSON.stringify(result), eventId });
      return { job: completed, readied: this.#readiedByEnd(completed) };
    });
    this.#announceReadied(readied);
    return job;
  }

  async completeMany(completions: readonly Completion[]): Promise<boolean[]> {
    if (completions.length === 0) return [];
    const input = completionsJson(completions);
    const { completed, readied } = await this.#write(() => {
      const eventBase = this.#reserveEventIds(completions.length);
      const rows = this.#stmt(jobsSql.completeMany).all({ completions: input, eventBase }) as {
        id: string;
        has_children: number;
        webhook: number | null;
      }[];
      const ids = rows.map((row) => row.id);
      const parents = rows.filter((row) => row.has_children === 1).map((row) => row.id);
      const webhooks = rows.filter((row) => row.webhook === 1).length;
      return { completed: ids, readied: this.#readiedBy(parents, webhooks) };
    });
    this.#announceReadied(readied);
    return completedInOrder(completions, completed);
  }

  async fail(lease: Lease, failure: Failure): Promise<Job> {
    const job = await this.#write(() => {
      const params = {
        code: failure.code,
        message: failure.message,
        details: failure.details === null ? null : JSON.stringify(failure.details),
      };
      if (failure.retryAfterSeconds !== null) {
        const retried = this.#fenced(jobsSql.failWithRetry, lease, {
          ...params,
          retryAfterMs: Math.round(failure.retryAfterSeconds * 1000),
          statusMessage: `Attempt failed (${failure.code}); retrying in ${failure.retryAfterSeconds.toFixed(1)} s`,
        });
        this.#appendEvent(retried, retried.status === 'cancelled' ? 'cancelled' : 'retry_scheduled', {
          error_code: failure.code,
          error_message: failure.message,
          retry_in_seconds: failure.retryAfterSeconds,
        });
        return retried;
      }
      const failed = this.#fenced(jobsSql.failTerminal, lease, {
        ...params,
        terminalStatus: failure.terminalStatus,
        statusMessage: failure.terminalStatus === 'timeout' ? 'Timed out' : `Failed: ${failure.message}`,
      });
      this.#appendEvent(failed, failure.terminalStatus === 'timeout' ? 'timeout' : 'failed', {
        error_code: failure.code,
        error_message: failure.message,
      });
      return failed;
    });
    // A retry due now wakes the workers now; one with a delay, when it falls due.
    if (splitByDue([job]).now.length > 0) this.#signals.jobAvailable({ count: 1, kind: job.kind });
    this.#due.schedule([job]);
    this.#announceReadied(this.#afterEnd(job));
    return job;
  }

  /** What the end of `job` readied, read after its write (a read of its own: these ends are rare). */
  #afterEnd(job: Job): AvailableJobs {
    try {
      return this.#readiedByEnd(job);
    } catch {
      // A wake-up is never a reason for the write to fail: the polls find the jobs.
      return { count: 0, kind: null };
    }
  }

  async markCancelled(lease: Lease, reason: string | null): Promise<Job> {
    return this.#write(() => {
      const job = this.#fenced(jobsSql.markCancelled, lease, {
        reason,
        message: reason ? `Cancelled: ${reason}` : 'Cancelled',
      });
      this.#appendEvent(job, 'cancelled');
      return job;
    }).then((job) => {
      this.#announceReadied(this.#afterEnd(job));
      return job;
    });
  }

  async reportWaitingProgress(jobId: string, update: ProgressUpdate): Promise<boolean> {
    if (!isJobId(jobId)) return false;
    return this.#write(() => {
      const job = this.#oneJob(jobsSql.waitingProgress, {
        id: jobId,
        progress: clampProgress(update.progress),
        stage: update.stage,
        message: update.message,
      });
      if (job) this.#appendEvent(job, 'progress', update.data ?? null);
      return job !== undefined;
    });
  }

  async waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job> {
    const ids = JSON.stringify(jobIds);
    const job = await this.#write(() => {
      // BEGIN IMMEDIATE: no job of `ids` can end between the count and the park.
      this.#stmt(jobsSql.insertMoreDependencies).run({ jobId: lease.jobId, ids });
      this.#stmt(jobsSql.markParents).run({ ids });
      const parked = this.#fenced(jobsSql.waitForJobs, lease, { ids, message });
      this.#appendEvent(parked, 'waiting', { job_ids: [...jobIds] });
      return parked;
    });
    if (job.status === 'pending') this.#signals.jobAvailable({ count: 1, kind: job.kind });
    return job;
  }

  async release(leases: readonly Lease[]): Promise<string[]> {
    if (leases.length === 0) return [];
    const released = await this.#write(() =>
      leases.flatMap((lease) => {
        const job = this.#oneJob(jobsSql.release, { ...lease });
        if (!job) return [];
        this.#appendEvent(job, job.status === 'cancelled' ? 'cancelled' : 'released', {
          worker_id: lease.workerId,
        });
        return job.status === 'cancelled' ? [] : [job];
      }),
    );
    this.#requeued(released);
    return released.map((job) => job.id);
  }

  #getJob(id: string, scope: Scope): Job | undefined {
    if (!isJobId(id)) return undefined;
    return scope.all
      ? this.#oneJob(jobsSql.selectById, { id })
      : this.#oneJob(jobsSql.selectByIdForUser, { id, userId: scope.userId });
  }

  async get(id: string, scope: Scope): Promise<Job | null> {
    return (await this.#read(() => this.#getJob(id, scope))) ?? null;
  }

  async list(filter: ListFilter, scope: Scope): Promise<JobPage> {
    checkedLimit(filter.limit);
    const { sql, params } = listingStatement(filter, scope);
    const found = await this.#read(() => this.#allJobs(sql, params));
    const jobs = found.slice(0, filter.limit);
    const last = jobs[jobs.length - 1];
    const nextCursor =
      found.length > filter.limit && last
        ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
        : null;
    return { jobs, nextCursor };
  }

  async getWithPosition(id: string, scope: Scope): Promise<PositionedJob | null> {
    if (!isJobId(id)) return null;
    const statement = this.#stmt(scope.all ? jobsSql.selectWithPosition : jobsSql.selectWithPositionForUser);
    const params = scope.all ? { id } : { id, userId: scope.userId };
    // Raw: the job's JOB_ARRAY, then the number of jobs ahead of it.
    const row = await this.#read(
      () => statement.raw(true).get(params) as [string, number | null] | undefined,
    );
    if (!row) return null;
    return { job: jobFromArray(row[0]), queuePosition: row[1] };
  }

  async queuePositions(ids: readonly string[]): Promise<Map<string, number>> {
    const valid = ids.filter(isJobId);
    if (valid.length === 0) return new Map();
    const wanted = new Set(valid);
    const statement = this.#stmt(jobsSql.selectPendingInClaimOrder).pluck(true);
    // One read of the claim index, numbering the pending jobs, stopped once every wanted job is met:
    // the work is the position of the page's last job, not one count per job.
    return this.#read(() => {
      const positions = new Map<string, number>();
      let position = 0;
      for (const id of statement.iterate({}) as IterableIterator<string>) {
        if (wanted.has(id)) {
          positions.set(id, position);
          if (positions.size === wanted.size) break;
        }
        position++;
      }
      return positions;
    });
  }

  async storedIds(ids: readonly string[]): Promise<Set<string>> {
    const valid = ids.filter(isJobId);
    if (valid.length === 0) return new Set();
    const statement = this.#stmt(jobsSql.selectStoredIds).pluck(true);
    const stored = await this.#read(() => statement.all({ ids: JSON.stringify(valid) }) as string[]);
    return new Set(stored);
  }

  async listEvents(jobId: string, afterEventId: number, limit: number): Promise<JobEvent[]> {
    checkedEventsPage(afterEventId, limit);
    if (!isJobId(jobId)) return [];
    const rows = await this.#read(
      () => this.#stmt(jobsSql.selectEvents).all({ jobId, afterId: afterEventId, limit }) as SqliteEventRow[],
    );
    return rows.map(eventFromSqlite);
  }

  async exportJobs(filter: ExportFilter, afterId: string | null, limit: number): Promise<TransferredJob[]> {
    checkedLimit(limit);
    return this.#read(() => {
      const rows = this.#stmt(transferSql.exportPage).all({
        afterId: afterId ?? '',
        statuses: filter.statuses ? JSON.stringify(filter.statuses) : null,
        since: filter.createdSince ? filter.createdSince.getTime() : null,
        limit,
      }) as {
        job: string;
        cost_points: number;
        points_charged: number;
        on_parent_failure: OnParentFailure;
        waiting_parents: number;
      }[];
      const jobs = rows.map((row) => ({
        job: jobFromArray(row.job),
        costPoints: row.cost_points,
        pointsCharged: row.points_charged,
        onParentFailure: row.on_parent_failure,
        waitingParents: row.waiting_parents,
      }));
      if (jobs.length === 0) return [];
      const ids = JSON.stringify(jobs.map(({ job }) => job.id));
      const events = this.#stmt(transferSql.exportEvents).all({ ids }) as SqliteEventRow[];
      const dependencies = this.#stmt(transferSql.exportDependencies).all({ ids }) as DependencyRow[];
      return withEvents(jobs, events.map(eventFromSqlite), dependencies);
    });
  }

  async importJobs(
    records: readonly TransferredJob[],
    onConflict: ImportConflictRule,
  ): Promise<ImportOutcome> {
    if (records.length === 0) return { imported: [], skipped: [] };
    const outcome = await this.#write(() => {
      const inserted = new Set<string>();
      const firsts = firstOfEachId(records);
      for (const record of firsts) {
        const { job, costPoints, pointsCharged, events } = record;
        const columns = importedColumns(record);
        const row = this.#stmt(transferSql.insertJob).get({
          ...columns,
          payload: JSON.stringify(columns.payload),
          result: jsonText(columns.result),
          error_details: jsonText(columns.error_details),
          created_at: columns.created_at.getTime(),
          updated_at: columns.updated_at.getTime(),
          run_at: columns.run_at.getTime(),
          started_at: msOrNull(columns.started_at),
          completed_at: msOrNull(columns.completed_at),
          lease_expires_at: msOrNull(columns.lease_expires_at),
          last_heartbeat: msOrNull(columns.last_heartbeat),
          cancel_requested_at: msOrNull(columns.cancel_requested_at),
          deadline_at: msOrNull(columns.deadline_at),
        });
        if (row === undefined) continue;
        inserted.add(job.id);
        if (costPoints !== 0 || pointsCharged !== 0) {
          this.#stmt(transferSql.setPoints).run({ id: job.id, costPoints, pointsCharged });
        }
        for (const event of events) {
          this.#stmt(transferSql.insertEvent).run({
            jobId: job.id,
            at: event.at.getTime(),
            type: event.type,
            status: event.status,
            progress: event.progress,
            stage: event.stage,
            message: event.message,
            attempt: event.attempt,
            workerId: event.workerId,
            data: jsonText(event.data),
          });
        }
      }
      this.#importDependencies(firsts.filter(({ job }) => inserted.has(job.id)));
      // Throws IMPORT_CONFLICT under `fail`, which rolls the transaction back.
      return importOutcome(
        records.map(({ job }) => job.id),
        inserted,
        onConflict,
      );
    });
    // Imported jobs pending now (a retry's `run_at` ahead is announced when it falls due).
    this.#signals.jobAvailable({ count: outcome.imported.length, kind: null });
    return outcome;
  }

  /**
   * The parents of the imported jobs `written`, inserted in this transaction: PARENT_NOT_FOUND when one is
   * not in the database; else their dependency rows, and each parent marked `has_children` (not a
   * change of status: no settling trigger fires).
   */
  #importDependencies(written: readonly TransferredJob[]): void {
    const parents = parentsOf(written);
    if (parents.length === 0) return;
    const ids = JSON.stringify(parents);
    const existing = this.#stmt(transferSql.existingIds).pluck().all({ ids }) as string[];
    checkParentsExist(written, new Set(existing));
    for (const { job, dependsOn } of written) {
      if (dependsOn.length === 0) continue;
      this.#stmt(jobsSql.insertDependencies).run({ childId: job.id, ids: JSON.stringify(dependsOn) });
    }
    this.#stmt(jobsSql.markParents).run({ ids });
  }

  #cancelOne(id: string, reason: string | null, scope: Scope): CancelOutcome | null {
    const found = this.#getJob(id, scope);
    if (!found) return null;
    const message = reason ? `Cancelled: ${reason}` : 'Cancelled';
    if (found.status === 'pending' || found.status === 'waiting') {
      const job = this.#oneJob(jobsSql.cancelPending, { id, reason, message }) as Job;
      this.#appendEvent(job, 'cancelled', reason ? { reason } : null);
      return { job, state: 'cancelled' };
    }
    if (found.status === 'running') {
      const job = this.#oneJob(jobsSql.requestCancel, { id, reason }) as Job;
      this.#appendEvent(job, 'cancel_requested', reason ? { reason } : null);
      return { job, state: 'requested' };
    }
    return { job: found, state: 'already_finished' };
  }

  async cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome> {
    const outcome = await this.#write(() => this.#cancelOne(id, reason, scope));
    if (!outcome) throw jobNotFound(id);
    if (outcome.state === 'requested') this.#signals.cancelRequested(id);
    if (outcome.state === 'cancelled') this.#announceReadied(this.#afterEnd(outcome.job));
    return outcome;
  }

  async changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job> {
    return this.#write(() => {
      const found = this.#getJob(id, scope);
      if (!found) throw jobNotFound(id);
      const job = this.#oneJob(jobsSql.changePriority, { id, priority: priorityRank(priority) });
      if (!job) throw jobNotPending(found);
      this.#appendEvent(job, 'priority_changed', { priority }, `Priority changed to ${priority}`);
      return job;
    });
  }

  async cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome> {
    const result: BulkCancelOutcome = {
      cancelled: [],
      cancelRequested: [],
      alreadyFinished: [],
      notFound: [],
    };
    const ended: Job[] = [];
    await this.#write(() => {
      for (const id of new Set(ids)) {
        const outcome = this.#cancelOne(id, reason, scope);
        if (!outcome) result.notFound.push(id);
        else if (outcome.state === 'cancelled') {
          result.cancelled.push(id);
          ended.push(outcome.job);
        } else if (outcome.state === 'requested') result.cancelRequested.push(id);
        else result.alreadyFinished.push(id);
      }
    });
    for (const id of result.cancelRequested) this.#signals.cancelRequested(id);
    const webhooks = ended.filter((job) => typeof job.payload['webhook_url'] === 'string').length;
    try {
      this.#announceReadied(this.#readiedBy(result.cancelled, webhooks));
    } catch {
      // A wake-up is never a reason for the write to fail: the polls find the jobs.
    }
    return result;
  }

  /**
   * Re-queues one job inside the caller's write transaction. BEGIN IMMEDIATE holds the write lock,
   * so no other process queues a job for the owner between the count and the update.
   */
  #retryOne(id: string, request: RetryRequest, scope: Scope, options: RetryOptions): Job {
    const found = this.#getJob(id, scope);
    if (!found) throw jobNotFound(id);
    checkRetryable(found, request);
    const limit = activeLimitFor(found, options.activeLimit);
    if (limit !== undefined) {
      const { active } = this.#stmt(jobsSql.countActive).get({ userId: found.userId }) as { active: number };
      if (active >= limit) throw tooManyJobs(limit, active);
    }
    const owner = () => [this.#stmt(jobsSql.selectCharge).get({ id }) as OwnerCharge];
    // A refused charge aborts this statement only (RAISE(ABORT)): the transaction goes on.
    const retried = this.#charging(owner, () => this.#oneJob(jobsSql.retry, { id }) as Job);
    this.#appendEvent(retried, 'retried', { force: request.force });
    return retried;
  }

  async retry(id: string, request: RetryRequest, scope: Scope, options: RetryOptions = {}): Promise<Job> {
    const job = await this.#write(() => this.#retryOne(id, request, scope, options));
    this.#enqueued([job]);
    return job;
  }

  async retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options: RetryOptions = {},
  ): Promise<RetryOutcome[]> {
    const outcomes = await this.#write(() =>
      distinctIds(ids).map((id): RetryOutcome => {
        try {
          return { jobId: id, job: this.#retryOne(id, request, scope, options), error: null };
        } catch (error) {
          return refusedRetry(id, error);
        }
      }),
    );
    this.#enqueued(outcomes.flatMap((outcome) => (outcome.job ? [outcome.job] : [])));
    return outcomes;
  }

  #recover(
    condition: string,
    cause: RecoveryCause,
    params: Record<string, unknown>,
  ): Promise<RecoveryOutcome> {
    const requeued: Job[] = [];
    return this.#write(() => {
      requeued.length = 0;
      const outcome: RecoveryOutcome = { requeued: [], failed: [], cancelled: [] };
      const bound = { ...params, maxLostAttempts: this.#maxLostAttempts };
      for (const job of this.#allJobs(jobsSql.recoverWhere(condition), bound)) {
        if (job.status === 'pending') {
          outcome.requeued.push(job.id);
          requeued.push(job);
          this.#appendEvent(job, 'recovered', { error_code: 'WORKER_LOST', cause });
        } else if (job.status === 'cancelled') {
          outcome.cancelled.push(job.id);
          this.#appendEvent(job, 'cancelled');
        } else {
          outcome.failed.push(job.id);
          this.#appendEvent(job, 'failed', { error_code: job.errorCode, cause });
        }
      }
      return outcome;
    }).then((outcome) => {
      this.#requeued(requeued);
      return outcome;
    });
  }

  async timeOutWaiting(): Promise<Job[]> {
    const ended = await this.#write(() => {
      const jobs = this.#allJobs(jobsSql.timeOutWaiting, {});
      for (const job of jobs) {
        this.#appendEvent(job, 'timeout', { error_code: job.errorCode, error_message: job.errorMessage });
      }
      return jobs;
    });
    for (const job of ended) this.#announceReadied(this.#afterEnd(job));
    return ended;
  }

  recoverExpiredLeases(): Promise<RecoveryOutcome> {
    return this.#recover(leaseExpired, 'lease_expired', {});
  }

  async recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome> {
    checkedMinutes('timeout_minutes', timeoutMinutes);
    return this.#recover(heartbeatOlderThan, 'heartbeat_stale', {
      olderThanMs: Math.round(timeoutMinutes * 60_000),
    });
  }

  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome> {
    return this.#recover(heldByWorkers, 'worker_gone', { workerIds: JSON.stringify(workerIds) });
  }

  async registerWorker(workerId: string, identity: RecordableIdentity): Promise<void> {
    const { hostname, bootId, pidNamespace, pid, startTime } = identity;
    await this.#write(() =>
      this.#stmt(workersSql.register).run({ workerId, hostname, bootId, pidNamespace, pid, startTime }),
    );
  }

  async unregisterWorkers(workerIds: readonly string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await this.#write(() => this.#stmt(workersSql.unregister).run({ ids: JSON.stringify(workerIds) }));
  }

  workersOnHost(hostname: string): Promise<WorkerProcess[]> {
    return this.#read(() =>
      (this.#stmt(workersSql.onHost).all({ hostname }) as WorkerProcessRow[]).map(workerProcessFromRow),
    );
  }

  async cleanup(maxAgeHours: number, scope: Scope, filter: CleanupFilter = {}): Promise<number> {
    checkedHours('max_age_hours', maxAgeHours);
    const statuses = cleanupStatuses(filter.statuses);
    const statement = this.#stmt(
      filter.ageFrom === 'created' ? jobsSql.cleanupCreatedBefore : jobsSql.cleanup,
    );
    // One cut-off for every batch, from the database clock.
    const { now } = await this.#read(() => this.#stmt(jobsSql.now).get({}) as { now: number });
    const params = {
      before: now - Math.round(maxAgeHours * 3_600_000),
      statuses: statuses ? JSON.stringify(statuses) : null,
      userId: scope.all ? null : scope.userId,
    };
    const batch = new CleanupBatchSize();
    let deleted = 0;
    for (;;) {
      const size = batch.size;
      const started = performance.now();
      const { changes } = await this.#write(() => statement.run({ ...params, batch: size }));
      batch.took(performance.now() - started);
      deleted += changes;
      if (changes < size) break;
      this.#checkpoint();
      // A batch's write returns at once (no I/O to wait for): without a turn of the event loop the
      // process's claims, completions and requests would wait for the whole cleanup.
      await nextTurn();
    }
    if (deleted > 0) await this.#reclaimFreePages();
    return deleted;
  }

  /**
   * Copies the WAL into the database file between a cleanup's batches, without waiting for anyone
   * (PASSIVE), so the next batch's write starts the WAL over: it holds one batch, never the whole
   * cleanup (one 200,000-job DELETE grew it to 118 MB, past its 64 MB limit).
   */
  #checkpoint(): void {
    this.#db.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * Gives the pages a cleanup freed back to the file system, in short steps (`PRAGMA
   * incremental_vacuum`), when the database has auto_vacuum=INCREMENTAL: every database created since
   * migration 0031's release; an older one after a one-time VACUUM (docs/operations.md). Without it
   * SQLite keeps the free pages for its next rows and the file keeps its size.
   */
  async #reclaimFreePages(): Promise<void> {
    if (this.#stmt(jobsSql.autoVacuum).pluck().get({}) !== INCREMENTAL_AUTO_VACUUM) return;
    for (;;) {
      const free = await this.#write(() => {
        this.#db.exec(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`);
        return this.#stmt(jobsSql.freePages).pluck().get({}) as number;
      });
      this.#checkpoint();
      if (free === 0) return;
      await nextTurn();
    }
  }

  async deleteJob(id: string, scope: Scope): Promise<void> {
    const userId = scope.all ? null : scope.userId;
    const deleted = await this.#write(() => this.#stmt(maintenanceSql.deleteFinishedJob).get({ id, userId }));
    if (deleted === undefined) throw jobNotDeleted(id, await this.get(id, scope));
  }

  async timeSeries(hours: number, bucket: TimeBucket, scope: Scope): Promise<JobTimeSeries> {
    checkedSeriesWindow(hours, bucket);
    const rows = await this.#read(
      () =>
        this.#stmt(timeSeriesSql.series).all({
          windowMs: Math.round(hours * 3_600_000),
          bucketMs: BUCKET_SECONDS[bucket] * 1000,
          userId: scope.all ? null : scope.userId,
        }) as (TimeSeriesRow & { start: number })[],
    );
    return {
      periodHours: hours,
      bucket,
      points: rows.map((row) => pointFromRow(row, new Date(row.start))),
    };
  }

  async claimMaintenanceRun(name: string, intervalSeconds: number, node: string): Promise<boolean> {
    const intervalMs = Math.round(checkedHours('interval', intervalSeconds / 3600) * 3_600_000);
    const row = await this.#write(() => this.#stmt(maintenanceSql.claimRun).get({ name, node, intervalMs }));
    return row !== undefined;
  }

  async expireVideos(maxAgeHours: number): Promise<number> {
    const maxAgeMs = Math.round(checkedHours('max_age_hours', maxAgeHours) * 3_600_000);
    return this.#write(() => {
      const ids = this.#stmt(maintenanceSql.markVideosExpired).pluck().all({ maxAgeMs }) as string[];
      if (ids.length > 0) this.#stmt(maintenanceSql.deleteVideos).run({ ids: JSON.stringify(ids) });
      return ids.length;
    });
  }

  async health(scope: Scope, hours: number | null = null): Promise<HealthMetrics> {
    if (hours !== null) checkedHours('hours', hours);
    if (scope.all) {
      await this.#foldIfBehind();
      return this.#read(() => {
        const counts =
          hours === null
            ? (this.#stmt(rollupsSql.allTimeCounts).all({}) as CountRow[])
            : this.#windowRows(hours, false).rows.counts;
        return healthFromRollups(counts, this.#oldestPendingAgeMs(scope));
      });
    }
    // One owner's (an API key's): the owner's jobs only, from jobs_user_created_idx.
    return this.#read(() => {
      const counts = (
        hours !== null
          ? this.#stmt(jobsSql.countByStatusOfOwnerInWindow).all({
              windowMs: Math.round(hours * 3_600_000),
              userId: scope.userId,
            })
          : this.#stmt(jobsSql.countByStatusOfOwner).all({ userId: scope.userId })
      ) as { status: string; count: number }[];
      return healthFrom(countsByStatus(counts), this.#oldestPendingAgeMs(scope));
    });
  }

  #oldestPendingAgeMs(scope: Scope): number | null {
    const owner = scope.all ? '' : 'AND user_id = @userId';
    const row = this.#stmt(
      `SELECT ${"CAST(unixepoch('subsec') * 1000 AS INTEGER)"} - min(created_at) AS age FROM jobs WHERE status = 'pending' ${owner}`,
    ).get(scope.all ? {} : { userId: scope.userId }) as { age: number | null };
    return row.age;
  }

  async statistics(hours: number, scope: Scope): Promise<JobStatistics> {
    checkedHours('hours', hours);
    if (scope.all) {
      await this.#foldIfBehind();
      return this.#read(() => {
        const { rows, start } = this.#windowRows(hours, true);
        const completed = durationCount(rows);
        const exact =
          completed > EXACT_DURATIONS_LIMIT
            ? null
            : completed === 0
              ? []
              : (this.#stmt(rollupsSql.exactDurations).pluck().all({ from: start }) as number[]);
        return statisticsFromRollups(hours, rows, exact, this.#oldestPendingAgeMs(scope));
      });
    }
    return this.#read(() => {
      const window = `created_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER) - CAST(@windowMs AS INTEGER)${
        scope.all ? '' : ' AND user_id = @userId'
      }`;
      const params: Record<string, unknown> = { windowMs: Math.round(hours * 3_600_000) };
      if (!scope.all) params.userId = scope.userId;
      const totals = countsByStatus(
        this.#stmt(`SELECT status, count(*) AS count FROM jobs WHERE ${window} GROUP BY status`).all(
          params,
        ) as {
          status: string;
          count: number;
        }[],
      );
      const priorities = countsByPriority(
        this.#stmt(`SELECT priority, count(*) AS count FROM jobs WHERE ${window} GROUP BY priority`).all(
          params,
        ) as { priority: number; count: number }[],
      );
      const errorRows = this.#stmt(
        `SELECT error_code, count(*) AS count FROM jobs WHERE ${window} AND error_code IS NOT NULL
         AND status IN ('failed', 'timeout', 'cancelled') GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`,
      ).all(params) as { error_code: string; count: number }[];
      const timing = this.#stmt(
        `SELECT count(*) AS count, avg(processing_time_seconds) AS average, max(processing_time_seconds) AS max
         FROM jobs WHERE ${window} AND status = 'completed' AND processing_time_seconds IS NOT NULL`,
      ).get(params) as { count: number; average: number | null; max: number | null };
      const percentile = (p: number): number | null => {
        if (timing.count === 0) return null;
        const row = this.#stmt(
          `SELECT processing_time_seconds AS value FROM jobs
           WHERE ${window} AND status = 'completed' AND processing_time_seconds IS NOT NULL
           ORDER BY processing_time_seconds LIMIT 1 OFFSET ${boundCount('offset')}`,
        ).get({ ...params, offset: percentileIndex(p, timing.count) }) as { value: number };
        return row.value;
      };
      const retried = this.#stmt(
        `SELECT count(*) AS count FROM jobs WHERE ${window} AND retry_count > 0`,
      ).get(params) as { count: number };
      const health = healthFrom(totals, this.#oldestPendingAgeMs(scope));
      return {
        periodHours: hours,
        totals,
        total: health.total,
        failureRate: health.failureRate,
        oldestPendingJobAgeMinutes: health.oldestPendingJobAgeMinutes,
        processingTimeSeconds: {
          count: timing.count,
          average: timing.average,
          p50: percentile(0.5),
          p95: percentile(0.95),
          p99: percentile(0.99),
          max: timing.max,
        },
        priorityDistribution: priorities,
        errorCodes: Object.fromEntries(errorRows.map((row) => [row.error_code, row.count])),
        retriedJobs: retried.count,
      };
    });
  }

  /** The rollup rows of the window of the last `hours` (inside a read), its edge counted from the jobs. */
  #windowRows(hours: number, all: boolean): { rows: WindowRows; start: number } {
    const { now } = this.#stmt(rollupsSql.now).get({}) as { now: number };
    const window = rollupWindow(now, hours);
    const params = { minuteFrom: window.minuteFrom, hourFrom: window.hourFrom, dayFrom: window.dayFrom };
    const read = (sql: string, at: Record<string, number>) => this.#stmt(sql).all(at) as never[];
    const rows: WindowRows = {
      counts: read(rollupsSql.windowCounts, params),
      errors: all ? read(rollupsSql.windowErrors, params) : [],
      durations: all ? read(rollupsSql.windowDurations, params) : [],
    };
    const { edge } = window;
    if (!edge) return { rows, start: window.start };
    const range = { from: edge.from, to: edge.to };
    const edgeRows: WindowRows = {
      counts: read(rollupsSql.edgeCounts, range),
      errors: all ? read(rollupsSql.edgeErrors, range) : [],
      durations: all ? read(rollupsSql.edgeDurations, range) : [],
    };
    return { rows: withEdge(rows, edgeRows, edge.sign), start: window.start };
  }

  /** Folds first when many deltas wait (no process folded for a while), so the read stays short. */
  async #foldIfBehind(): Promise<void> {
    for (;;) {
      const { backlog } = (await this.#read(() => this.#stmt(rollupsSql.backlog).get({}))) as {
        backlog: number;
      };
      if (backlog <= FOLD_BEFORE_READ_BACKLOG) return;
      if ((await this.foldRollups()) === 0) return;
    }
  }

  async foldRollups(): Promise<number> {
    return this.#write(() => {
      const { upTo } = this.#stmt(rollupsSql.foldUpTo).get({ batch: FOLD_BATCH }) as { upTo: number | null };
      if (upTo === null) return 0;
      if (!this.#foldTableMade) {
        this.#db.exec(rollupsSql.foldTable);
        this.#foldTableMade = true;
      }
      this.#stmt(rollupsSql.foldClear).run({});
      this.#stmt(rollupsSql.foldGroup).run({ upTo });
      this.#stmt(rollupsSql.foldCounts).run({});
      this.#stmt(rollupsSql.foldErrors).run({});
      this.#stmt(rollupsSql.foldDurations).run({});
      return this.#stmt(rollupsSql.foldDelete).run({ upTo }).changes;
    });
  }

  async rebuildRollups(): Promise<void> {
    await this.#write(() => {
      for (const sql of rollupsSql.rebuildClear) this.#stmt(sql).run({});
      this.#stmt(rollupsSql.rebuildDeltas).run({});
    });
    while ((await this.foldRollups()) > 0);
  }

  onJobAvailable(listener: (jobs?: AvailableJobs) => void): () => void {
    return this.#signals.onJobAvailable(listener);
  }

  onJobsReadied(listener: (jobs: AvailableJobs) => void): () => void {
    this.#readied.on('readied', listener);
    return () => this.#readied.off('readied', listener);
  }

  onCancelRequested(listener: (jobId: string) => void): () => void {
    const here = this.#signals.onCancelRequested(listener);
    this.#cancelListeners.add(listener);
    // Another process asked: one lookup of the running jobs asked to stop, for every listener.
    this.#stopHearingCancels ??= this.#signals.onCancelElsewhere(() => {
      const ids = this.#cancelsAskedFor();
      for (const tell of this.#cancelListeners) for (const id of ids) tell(id);
    });
    return () => {
      here();
      this.#cancelListeners.delete(listener);
      if (this.#cancelListeners.size > 0) return;
      this.#stopHearingCancels?.();
      this.#stopHearingCancels = null;
    };
  }

  async ping(): Promise<void> {
    this.#db.prepare(jobsSql.now).get();
  }

  /** Running jobs asked to stop; none when the database cannot be read (heartbeats then tell). */
  #cancelsAskedFor(): string[] {
    if (this.#closed) return [];
    try {
      return this.#stmt(jobsSql.selectCancelRequested).pluck().all({}) as string[];
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {
    this.#due.close();
    if (!this.#closed) this.#signals.release();
    this.#closed = true;
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}

function claimOrder(a: Job, b: Job): number {
  return (
    priorityRank(b.priority) - priorityRank(a.priority) ||
    a.runAt.getTime() - b.runAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const msOrNull = (date: Date | null): number | null => (date === null ? null : date.getTime());
const jsonText = (value: JsonObject | null): string | null => (value === null ? null : JSON.stringify(value));
