/**
 * The job store on PostgreSQL. Claims use `FOR UPDATE SKIP LOCKED`; every state change and its event
 * are one statement; wake-ups travel by LISTEN/NOTIFY on a channel per schema.
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
import { rollupsSql, windowFiguresSql } from './sql/rollups-sql.js';
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
  type DurationRow,
  type ErrorRow,
  type WindowRows,
} from '../../jobs/rollup-statistics.js';
import { CleanupBatchSize } from '../../jobs/cleanup-batches.js';
import { cleanupStatuses, jobNotDeleted, type CleanupFilter } from '../../jobs/cleanup-filter.js';
import { StatusReadBatcher } from './status-read-batcher.js';
import { ReelqueueError } from '../../errors.js';
import { encodeCursor } from '../../jobs/cursor.js';
import {
  checkedEventsPage,
  checkedHours,
  checkedLimit,
  checkedMinutes,
} from '../../jobs/numeric-arguments.js';
import {
  clampProgress,
  isJobId,
  priorityRank,
  type Job,
  type JobDependencies,
  type JobEvent,
  type JobPriority,
  type JsonObject,
  type Lease,
  type OnParentFailure,
  type ResolvedNewJob,
} from '../../jobs/model.js';
import { initialDependencyState, parentNotFound, type ParentState } from '../../jobs/dependencies.js';
import { countsByPriority, countsByStatus, healthFrom } from '../../jobs/statistics.js';
import {
  changedWhileRetrying,
  checkRetryable,
  jobIdTaken,
  importOutcome,
  jobNotFound,
  jobNotPending,
  keyedJobVanished,
  leaseLost,
  tooManyJobs,
} from '../../jobs/store-errors.js';
import { activeLimitFor, distinctIds, refusedRetry } from '../../jobs/manual-retry.js';
import { chargedOwners } from '../../users/points.js';
import { completedInOrder, completionsJson } from '../completion-batch.js';
import { newJobsColumns } from '../new-jobs-batch.js';
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
  eventFromPg,
  insertedJobFromPg,
  jobFromPg,
  jobFromPgJson,
  type PgEventRow,
  type PgInsertedBatch,
  type PgJobColumn,
  type PgJobJson,
  type PgJobRow,
} from './job-row.js';
import type { NotificationListener } from './listener.js';
import { statementNames, type PreparedStatements } from './named-statements.js';
import {
  inTransaction,
  isUniqueViolationOf,
  noteIfConnectionLost,
  pgCode,
  withSavepoint,
  type PgClient,
  type PgPool,
} from './pool.js';
import { heartbeatOlderThan, jobsSql, leaseExpired } from './sql/jobs-sql.js';
import { listingStatement } from './sql/listing-sql.js';
import { heldByWorkers, workersSql } from './sql/workers-sql.js';
import {
  workerProcessFromRow,
  type WorkerProcess,
  type WorkerProcessRow,
} from '../../jobs/worker-processes.js';
import { isPointsError, mapPointsError } from './user-points.js';
import { WakeUpSender } from './wake-up-sender.js';
import { transferSql } from './sql/transfer-sql.js';
import {
  checkParentsExist,
  firstOfEachId,
  importedColumns,
  parentsOf,
  withEvents,
  type DependencyRow,
} from '../transfer-rows.js';
import { availableMessage, dueMessage } from '../../jobs/wake-up-message.js';
import { addAvailable, availableJobs, DueWakeUps, splitByDue } from '../../jobs/due-wake-ups.js';
import { EventEmitter } from 'node:events';

const STATEMENT_NAMES = statementNames('jobs', jobsSql);
/** SQLSTATE of a transaction PostgreSQL rolled back to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';

/**
 * Runs a transaction again (at most twice more) when PostgreSQL chose it to break a deadlock: an
 * enqueue locks its parents in id order, but a batch completion of two of them locks them in its
 * own order. The rolled-back attempt changed nothing.
 */
async function againAfterDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || (error as { code?: unknown }).code !== DEADLOCK_DETECTED) throw error;
    }
  }
}
/** SQLSTATE of a REPEATABLE READ transaction that met a concurrent change. */
const SERIALIZATION_FAILURE = '40001';
/** A rebuild meets a fold only while waiting for its lock: a few tries are plenty. */
const REBUILD_ATTEMPTS = 5;

/** A job's owner and idempotency key as one map key (the unique index's `coalesce(user_id, '')`). */
const ownerKey = (job: { userId: string | null; idempotencyKey: string | null }): string =>
  `${job.userId ?? ''}\u0000${job.idempotencyKey}`;

export class PostgresJobStore implements JobStore {
  readonly dialect = 'postgres' as const;
  readonly #maxLostAttempts: number;
  /** Whether the fixed statements are named (named-statements.ts). */
  readonly #statements: PreparedStatements;
  readonly #pool: PgPool;
  readonly #channel: string;
  readonly #listener: NotificationListener;
  readonly #wakeUps: WakeUpSender;
  /** Jobs with a `run_at` ahead, announced when they fall due. */
  readonly #due: DueWakeUps;
  /** Their `t:` wake-ups on their way (wakeUpsSent waits for them). */
  readonly #dueSends = new Set<Promise<unknown>>();
  /** `onJobsReadied` listeners (a Redis-waking decorator): none in LISTEN mode. */
  readonly #readied = new EventEmitter<{ readied: [AvailableJobs] }>();
  /** Enqueues of this store between their call and their commit. */
  #enqueuesInFlight = 0;
  /** When `#foldIfBehind` last read the backlog (performance.now()). */
  #backlogCheckedAt = -Infinity;

  /** `listener` listens on `channel`; the database that owns both closes the listener. */
  /** Status reads of one loop turn, as one statement (status-read-batcher.ts). */
  readonly #statusReads: StatusReadBatcher;

  constructor(
    pool: PgPool,
    listener: NotificationListener,
    channel: string,
    options: { maxLostAttempts: number; statements: PreparedStatements },
  ) {
    this.#maxLostAttempts = options.maxLostAttempts;
    this.#statements = options.statements;
    this.#pool = pool;
    this.#listener = listener;
    this.#channel = channel;
    this.#wakeUps = new WakeUpSender((jobs) =>
      this.#rows(jobsSql.announceAvailable, [channel, availableMessage(jobs)]),
    );
    this.#readied.setMaxListeners(0);
    this.#due = new DueWakeUps(
      (jobs) => {
        this.#wakeUps.announce(jobs);
        this.#readied.emit('readied', jobs);
      },
      // A wake-up, not a write: when it fails, the workers still read the due time after a claim.
      (jobs, inMs) => {
        const sent = this.#rows(jobsSql.announceAvailable, [channel, dueMessage(jobs, inMs)])
          .catch(() => undefined)
          .finally(() => this.#dueSends.delete(sent));
        this.#dueSends.add(sent);
      },
    );
    this.#statusReads = new StatusReadBatcher(async (ids) => {
      const rows = await this.#rows<PgJobRow & { ahead: number | null }>(jobsSql.selectManyWithPosition, [
        ids,
      ]);
      return rows.map((row) => ({ job: jobFromPg(row), queuePosition: row.ahead }));
    });
  }

  /**
   * Runs a statement; the fixed statements of `jobsSql` are named where prepared statements are on,
   * so each connection parses and plans them once instead of on every call.
   */
  #rows<T>(sql: string, params: unknown[] = [], db: PgPool | PgClient = this.#pool): Promise<T[]> {
    return this.#statements.rows<T>(db, STATEMENT_NAMES, sql, params);
  }

  /** The jobs a statement returns in its `job` column (`PgJobJson`): those that return one job. */
  async #jobs(sql: string, params: unknown[], db: PgPool | PgClient = this.#pool): Promise<Job[]> {
    return (await this.#rows<PgJobColumn>(sql, params, db)).map((row) => jobFromPgJson(row.job));
  }

  async #fenced(sql: string, lease: Lease, params: unknown[]): Promise<Job> {
    const [job] = await this.#jobs(sql, [lease.jobId, lease.attempt, lease.workerId, ...params]);
    if (!job) throw leaseLost(lease);
    return job;
  }

  async enqueue(job: ResolvedNewJob, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const { activeLimit } = options;
    const userId = job.userId;
    const [result] =
      (job.dependsOn ?? []).length > 0
        ? await this.#waking((channel) =>
            againAfterDeadlock(() =>
              inTransaction(this.#pool, async (client) => {
                if (activeLimit !== undefined && userId !== null) {
                  const existing = await this.#checkActiveLimit(client, job, userId, activeLimit);
                  if (existing) return [existing];
                }
                return [await this.#insertWithParents(client, job, channel)];
              }),
            ),
          )
        : activeLimit === undefined || userId === null
          ? await this.enqueueMany([job])
          : await this.#waking((channel) => this.#enqueueWithinLimit(job, userId, activeLimit, channel));
    if (!result) throw new Error('enqueueMany returned no result for one job');
    return result;
  }

  /** Counts and inserts in one transaction under the owner's lock, so no other node slips in between. */
  async #enqueueWithinLimit(
    job: ResolvedNewJob,
    userId: string,
    limit: number,
    channel: string | null,
  ): Promise<EnqueueResult[]> {
    return inTransaction(this.#pool, async (client) => {
      const existing = await this.#checkActiveLimit(client, job, userId, limit);
      if (existing) return [existing];
      return this.#insertMany(client, [job], channel);
    });
  }

  /**
   * Under the owner's lock: the job already holding `job`'s idempotency key, if any; else
   * TOO_MANY_JOBS when the owner has `limit` active jobs, or nothing when `job` may be inserted.
   */
  async #checkActiveLimit(
    client: PgClient,
    job: ResolvedNewJob,
    userId: string,
    limit: number,
  ): Promise<EnqueueResult | null> {
    await this.#rows(jobsSql.lockOwner, [userId], client);
    const [existing] =
      job.idempotencyKey === null
        ? []
        : await this.#rows<PgJobRow>(
            jobsSql.selectByIdempotencyKeys,
            [[userId], [job.idempotencyKey]],
            client,
          );
    if (existing) return { job: jobFromPg(existing), created: false };
    const [row] = await this.#rows<{ active: number }>(jobsSql.countActive, [userId], client);
    const active = row?.active ?? 0;
    if (active >= limit) throw tooManyJobs(limit, active);
    return null;
  }

  /**
   * Inserts a job that names parents, inside the caller's transaction: the parents are locked
   * first (PARENT_NOT_FOUND, before anything is written, for any that is not the owner's), so none
   * can settle between the count and the insert; from then on their trigger settles the child.
   */
  async #insertWithParents(
    client: PgClient,
    job: ResolvedNewJob,
    channel: string | null,
  ): Promise<EnqueueResult> {
    const parentIds = job.dependsOn ?? [];
    const parents = await this.#rows<ParentState>(jobsSql.lockParents, [parentIds, job.userId], client);
    if (parents.length < parentIds.length) {
      const found = new Set(parents.map((parent) => parent.id));
      throw parentNotFound(parentIds.filter((id) => !found.has(id)));
    }
    const rule = job.onParentFailure ?? 'fail';
    const state = initialDependencyState(parents, rule);
    const [inserted] = await this.#insertMany(client, [job], state.status === 'pending' ? channel : null);
    if (!inserted?.created) return inserted as EnqueueResult;
    await this.#rows(jobsSql.markParents, [parentIds], client);
    await this.#rows(jobsSql.insertDependencies, [job.id, parentIds], client);
    const [settled] = await this.#jobs(
      jobsSql.settleNewChild,
      [job.id, state.status, state.waitingParents, rule, state.errorCode, state.message],
      client,
    );
    return { job: settled as Job, created: true };
  }

  enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]> {
    if (jobs.some((job) => (job.dependsOn ?? []).length > 0)) {
      // One by one, in order, so a job may depend on one queued before it in the batch.
      return this.#waking((channel) =>
        againAfterDeadlock(() =>
          inTransaction(this.#pool, async (client) => {
            const results: EnqueueResult[] = [];
            for (const job of jobs) {
              results.push(
                (job.dependsOn ?? []).length > 0
                  ? await this.#insertWithParents(client, job, channel)
                  : ((await this.#insertMany(client, [job], channel))[0] as EnqueueResult),
              );
            }
            return results;
          }),
        ),
      );
    }
    return this.#waking((channel) => this.#insertMany(this.#pool, jobs, channel));
  }

  async dependencies(id: string, scope: Scope): Promise<JobDependencies | null> {
    if (!isJobId(id)) return null;
    const [found] = await this.#rows<{ rule: OnParentFailure }>(jobsSql.selectRule, [
      id,
      scope.all ? null : scope.userId,
    ]);
    if (!found) return null;
    const [family] = await this.#rows<{ parents: string[]; children: string[] }>(jobsSql.selectFamily, [id]);
    return {
      parentIds: family?.parents ?? [],
      childIds: family?.children ?? [],
      onParentFailure: found.rule,
    };
  }

  /**
   * Runs an enqueue and wakes the workers of every node for its new jobs. Alone in this process, it
   * notifies inside its own transaction (`channel`): the workers hear of the job one round trip
   * sooner. Overlapping another enqueue, it gets no channel and the wake-up goes out after its
   * commit (`WakeUpSender`), so that the two do not commit one after the other behind PostgreSQL's
   * NOTIFY lock.
   */
  async #waking(insert: (channel: string | null) => Promise<EnqueueResult[]>): Promise<EnqueueResult[]> {
    const alone = this.#enqueuesInFlight === 0;
    this.#enqueuesInFlight++;
    try {
      const results = await insert(alone ? this.#channel : null);
      this.#due.schedule(results.flatMap((result) => (result.created ? [result.job] : [])));
      if (!alone) {
        const { now } = splitByDue(results.flatMap((result) => (result.created ? [result.job] : [])));
        if (now.length > 0) this.#wakeUps.announce(availableJobs(now));
      }
      return results;
    } finally {
      this.#enqueuesInFlight--;
    }
  }

  /** Resolves once the wake-ups sent after commits have gone out (the database waits before closing). */
  async wakeUpsSent(): Promise<void> {
    this.#due.close();
    await Promise.all([...this.#dueSends]);
    return this.#wakeUps.settled();
  }

  /**
   * After a commit that ended jobs: the children it readied and the webhook deliveries it queued
   * (triggers of migrations 0005 and 0030, which NOTIFY at its commit, 0033) go to the `onJobsReadied`
   * listeners. With none (LISTEN mode) nothing is read. `parents`: the ended jobs that may have
   * children; `webhooks`: how many deliveries were queued.
   */
  async #endedJobs(parents: readonly string[], webhooks: number): Promise<void> {
    if (this.#readied.listenerCount('readied') === 0) return;
    let jobs: AvailableJobs = { count: webhooks, kind: 'webhook' };
    if (parents.length > 0) {
      const [children] = await this.#rows<{ count: number; first_kind: string; last_kind: string }>(
        jobsSql.pendingChildren,
        [parents],
      );
      if (children && children.count > 0) {
        const kind = children.first_kind === children.last_kind ? children.first_kind : null;
        jobs = addAvailable(jobs, { count: children.count, kind });
      }
    }
    if (jobs.count > 0) this.#readied.emit('readied', jobs);
  }

  /** `#endedJobs` for one job that ended: a wake-up is never a reason for its write to fail. */
  async #ended(job: Job): Promise<Job> {
    if (job.status === 'pending' || job.status === 'running' || job.status === 'waiting') return job;
    const webhook = typeof job.payload['webhook_url'] === 'string' ? 1 : 0;
    await this.#endedJobs([job.id], webhook).catch(() => undefined);
    return job;
  }

  /** Inserts `jobs` in one statement; `channel`, if any, is notified inside it. */
  async #insertMany(
    db: PgPool | PgClient,
    jobs: readonly ResolvedNewJob[],
    channel: string | null,
  ): Promise<EnqueueResult[]> {
    if (jobs.length === 0) return [];
    const columns = newJobsColumns(jobs);
    // One job: its values as they are (insertOne), not arrays of one.
    const [sql, values] =
      jobs.length === 1
        ? [jobsSql.insertOne, columns.map(([value]) => value)]
        : [jobsSql.insertMany, columns];
    const [batch] = await this.#rows<PgInsertedBatch>(sql, [...values, channel], db).catch(
      async (error: unknown) => {
        if (isUniqueViolationOf(error, 'jobs_pkey')) {
          const ids = jobs.map((job) => job.id);
          const stored = await this.#rows<{ id: string }>(jobsSql.selectStoredIds, [ids], db);
          throw jobIdTaken(
            jobs,
            stored.map((row) => row.id),
          );
        }
        throw mapPointsError(error, () => chargedOwners(jobs));
      },
    );
    if (!batch) throw new Error('the batch insert returned no row');
    const insertedKeyed = new Set(batch.keyed_ids);
    const inserted = (job: ResolvedNewJob): boolean =>
      job.idempotencyKey === null || insertedKeyed.has(job.id);
    const missing = jobs.filter((job) => !inserted(job));
    const existing = new Map<string, Job>();
    if (missing.length > 0) {
      const stored = await this.#rows<PgJobRow>(
        jobsSql.selectByIdempotencyKeys,
        [missing.map((job) => job.userId ?? ''), missing.map((job) => job.idempotencyKey)],
        db,
      );
      for (const job of stored.map(jobFromPg)) existing.set(ownerKey(job), job);
    }
    return jobs.map((job) => {
      if (inserted(job)) return { job: insertedJobFromPg(job, batch), created: true };
      const match = existing.get(ownerKey(job));
      if (!match) throw keyedJobVanished(job);
      return { job: match, created: false };
    });
  }

  async claim(request: ClaimRequest): Promise<Job[]> {
    if (request.limit < 1 || request.kinds.length === 0) return [];
    const rows = await this.#rows<PgJobRow>(jobsSql.claim, [
      request.kinds,
      request.limit,
      request.workerId,
      request.leaseSeconds,
    ]);
    return rows.map(jobFromPg);
  }

  async heartbeat(leases: readonly Lease[], leaseSeconds: number): Promise<HeartbeatOutcome[]> {
    if (leases.length === 0) return [];
    const rows = await this.#rows<{
      id: string;
      attempt: number;
      worker_id: string;
      cancel_requested_at: Date | null;
      cancel_reason: string | null;
    }>(jobsSql.heartbeat, [
      leases.map((l) => l.jobId),
      leases.map((l) => l.attempt),
      leases.map((l) => l.workerId),
      leaseSeconds,
    ]);
    const key = (id: string, attempt: number, workerId: string) => `${id}/${attempt}/${workerId}`;
    const held = new Map(rows.map((row) => [key(row.id, row.attempt, row.worker_id), row]));
    return leases.map((lease): HeartbeatOutcome => {
      const row = held.get(key(lease.jobId, lease.attempt, lease.workerId));
      if (!row) return { jobId: lease.jobId, state: 'lost' };
      if (row.cancel_requested_at !== null) {
        return { jobId: lease.jobId, state: 'cancel_requested', reason: row.cancel_reason };
      }
      return { jobId: lease.jobId, state: 'held' };
    });
  }

  async reportProgress(lease: Lease, update: ProgressUpdate): Promise<void> {
    const rows = await this.#rows(jobsSql.progress, [
      lease.jobId,
      lease.attempt,
      lease.workerId,
      clampProgress(update.progress),
      update.stage,
      update.message,
      update.data ?? null,
    ]);
    if (rows.length === 0) throw leaseLost(lease);
  }

  async complete(lease: Lease, result: JsonObject): Promise<Job> {
    return this.#ended(await this.#fenced(jobsSql.complete, lease, [result]));
  }

  async completeMany(completions: readonly Completion[]): Promise<boolean[]> {
    if (completions.length === 0) return [];
    const rows = await this.#rows<{ id: string; has_children: boolean; webhook: boolean | null }>(
      jobsSql.completeMany,
      [completionsJson(completions)],
    );
    const parents = rows.filter((row) => row.has_children).map((row) => row.id);
    const webhooks = rows.filter((row) => row.webhook === true).length;
    // A wake-up is never a reason for the completions to fail: the polls find the jobs.
    if (parents.length > 0 || webhooks > 0) await this.#endedJobs(parents, webhooks).catch(() => undefined);
    return completedInOrder(
      completions,
      rows.map((row) => row.id),
    );
  }

  async fail(lease: Lease, failure: Failure): Promise<Job> {
    if (failure.retryAfterSeconds !== null) {
      const job = await this.#fenced(jobsSql.failWithRetry, lease, [
        failure.code,
        failure.message,
        failure.details,
        failure.retryAfterSeconds,
        `Attempt failed (${failure.code}); retrying in ${failure.retryAfterSeconds.toFixed(1)} s`,
        {
          error_code: failure.code,
          error_message: failure.message,
          retry_in_seconds: failure.retryAfterSeconds,
        },
        this.#channel,
      ]);
      this.#due.schedule([job]);
      return this.#ended(job);
    }
    const job = await this.#fenced(jobsSql.failTerminal, lease, [
      failure.code,
      failure.message,
      failure.details,
      failure.terminalStatus,
      failure.terminalStatus === 'timeout' ? 'Timed out' : `Failed: ${failure.message}`,
      { error_code: failure.code, error_message: failure.message },
    ]);
    return this.#ended(job);
  }

  async markCancelled(lease: Lease, reason: string | null): Promise<Job> {
    const job = await this.#fenced(jobsSql.markCancelled, lease, [
      reason,
      reason ? `Cancelled: ${reason}` : 'Cancelled',
    ]);
    return this.#ended(job);
  }

  async reportWaitingProgress(jobId: string, update: ProgressUpdate): Promise<boolean> {
    if (!isJobId(jobId)) return false;
    const rows = await this.#rows<{ id: string }>(jobsSql.waitingProgress, [
      jobId,
      clampProgress(update.progress),
      update.stage,
      update.message,
    ]);
    return rows.length > 0;
  }

  waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job> {
    return againAfterDeadlock(() =>
      inTransaction(this.#pool, async (client) => {
        // Locked first: none of them can end (and miss this job in its trigger) before the park.
        const locked = await this.#rows<{ id: string; status: string }>(jobsSql.lockJobs, [jobIds], client);
        const open = locked.filter((row) => ['pending', 'running', 'waiting'].includes(row.status)).length;
        await this.#rows(jobsSql.insertMoreDependencies, [lease.jobId, jobIds], client);
        await this.#rows(jobsSql.markParents, [jobIds], client);
        const [job] = await this.#jobs(
          jobsSql.waitForJobs,
          [lease.jobId, lease.attempt, lease.workerId, open, message, this.#channel],
          client,
        );
        if (!job) throw leaseLost(lease);
        return job;
      }),
    );
  }

  async msUntilNextDue(kinds: readonly string[]): Promise<number | null> {
    const [row] = await this.#rows<{ ms: number | null }>(jobsSql.msUntilNextDue, [kinds]);
    return row?.ms ?? null;
  }

  async release(leases: readonly Lease[]): Promise<string[]> {
    if (leases.length === 0) return [];
    const rows = await this.#rows<{ id: string; status: string }>(jobsSql.release, [
      leases.map((l) => l.jobId),
      leases.map((l) => l.attempt),
      leases.map((l) => l.workerId),
      this.#channel,
    ]);
    return rows.filter((row) => row.status === 'pending').map((row) => row.id);
  }

  /** The stored row, with what `Job` leaves out (its price). */
  async #getRow(
    id: string,
    scope: Scope,
    db: PgPool | PgClient = this.#pool,
  ): Promise<PgJobJson | undefined> {
    if (!isJobId(id)) return undefined;
    const [row] = scope.all
      ? await this.#rows<PgJobColumn>(jobsSql.selectById, [id], db)
      : await this.#rows<PgJobColumn>(jobsSql.selectByIdForUser, [id, scope.userId], db);
    return row?.job;
  }

  async get(id: string, scope: Scope): Promise<Job | null> {
    const row = await this.#getRow(id, scope);
    return row ? jobFromPgJson(row) : null;
  }

  async list(filter: ListFilter, scope: Scope): Promise<JobPage> {
    checkedLimit(filter.limit);
    const { sql, params } = listingStatement(filter, scope);
    const found = (await this.#rows<PgJobRow>(sql, params)).map(jobFromPg);
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
    return this.#statusReads.read(id, scope);
  }

  async queuePositions(ids: readonly string[]): Promise<Map<string, number>> {
    const valid = ids.filter(isJobId);
    if (valid.length === 0) return new Map();
    const rows = await this.#rows<{ id: string; ahead: number | string }>(jobsSql.selectQueuePositions, [
      valid,
    ]);
    return new Map(rows.map((row) => [row.id, Number(row.ahead)]));
  }

  async storedIds(ids: readonly string[]): Promise<Set<string>> {
    const valid = ids.filter(isJobId);
    if (valid.length === 0) return new Set();
    const rows = await this.#rows<{ id: string }>(jobsSql.selectStoredIds, [valid]);
    return new Set(rows.map((row) => row.id));
  }

  async listEvents(jobId: string, afterEventId: number, limit: number): Promise<JobEvent[]> {
    checkedEventsPage(afterEventId, limit);
    if (!isJobId(jobId)) return [];
    const rows = await this.#rows<PgEventRow>(jobsSql.selectEvents, [jobId, afterEventId, limit]);
    return rows.map(eventFromPg);
  }

  async exportJobs(filter: ExportFilter, afterId: string | null, limit: number): Promise<TransferredJob[]> {
    checkedLimit(limit);
    if (afterId !== null && !isJobId(afterId)) throw new RangeError(`not a job id: ${afterId}`);
    const rows = await this.#rows<PgJobRow & { on_parent_failure: OnParentFailure; waiting_parents: number }>(
      transferSql.exportPage,
      [afterId, filter.statuses ? [...filter.statuses] : null, filter.createdSince ?? null, limit],
    );
    if (rows.length === 0) return [];
    const jobs = rows.map((row) => ({
      job: jobFromPg(row),
      costPoints: row.cost_points,
      pointsCharged: row.points_charged,
      onParentFailure: row.on_parent_failure,
      waitingParents: row.waiting_parents,
    }));
    const ids = jobs.map(({ job }) => job.id);
    const events = await this.#rows<PgEventRow>(transferSql.exportEvents, [ids]);
    const dependencies = await this.#rows<DependencyRow>(transferSql.exportDependencies, [ids]);
    return withEvents(jobs, events.map(eventFromPg), dependencies);
  }

  async importJobs(
    records: readonly TransferredJob[],
    onConflict: ImportConflictRule,
  ): Promise<ImportOutcome> {
    if (records.length === 0) return { imported: [], skipped: [] };
    const firsts = firstOfEachId(records);
    const outcome = await inTransaction(this.#pool, async (client) => {
      const rows = await this.#rows<{ id: string }>(
        transferSql.insertJobs,
        [JSON.stringify(firsts.map(importedColumns))],
        client,
      );
      const inserted = new Set(rows.map((row) => row.id));
      // Throws IMPORT_CONFLICT under `fail`, which rolls the transaction back.
      const result = importOutcome(
        records.map(({ job }) => job.id),
        inserted,
        onConflict,
      );
      const written = firsts.filter(({ job }) => inserted.has(job.id));
      const points = written
        .filter((r) => r.costPoints !== 0 || r.pointsCharged !== 0)
        .map((r) => ({ id: r.job.id, cost_points: r.costPoints, points_charged: r.pointsCharged }));
      if (points.length > 0) await this.#rows(transferSql.setPoints, [JSON.stringify(points)], client);
      await this.#importDependencies(written, client);
      const events = written.flatMap(({ job, events: log }) =>
        log.map((event) => ({
          job_id: job.id,
          at: event.at,
          type: event.type,
          status: event.status,
          progress: event.progress,
          stage: event.stage,
          message: event.message,
          attempt: event.attempt,
          worker_id: event.workerId,
          data: event.data,
        })),
      );
      if (events.length > 0) {
        const numbered = events.map((event, seq) => ({ seq, ...event }));
        await this.#rows(transferSql.insertEvents, [JSON.stringify(numbered)], client);
      }
      return result;
    });
    if (outcome.imported.length > 0) this.#wakeUps.announce({ count: outcome.imported.length, kind: null });
    return outcome;
  }

  /**
   * The parents of the imported jobs `written`, inserted in this transaction: PARENT_NOT_FOUND when one is
   * not in the database; else their dependency rows, and each parent marked `has_children` (not a
   * change of status: trigger jobs_settle_children does not fire).
   */
  async #importDependencies(written: readonly TransferredJob[], client: PgClient): Promise<void> {
    const parents = parentsOf(written);
    if (parents.length === 0) return;
    const existing = await this.#rows<{ id: string }>(transferSql.existingIds, [parents], client);
    checkParentsExist(written, new Set(existing.map((row) => row.id)));
    const rows = written.flatMap(({ job, dependsOn }) =>
      dependsOn.map((parentId) => ({ child_id: job.id, parent_id: parentId })),
    );
    await this.#rows(transferSql.insertDependencies, [JSON.stringify(rows)], client);
    await this.#rows(jobsSql.markParents, [parents], client);
  }

  async cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome> {
    if (!isJobId(id)) throw jobNotFound(id);
    const userId = scope.all ? null : scope.userId;
    const data = reason ? { reason } : null;
    const message = reason ? `Cancelled: ${reason}` : 'Cancelled';
    const [cancelled] = await this.#jobs(jobsSql.cancelPending, [id, userId, reason, message, data]);
    if (cancelled) return { job: await this.#ended(cancelled), state: 'cancelled' };
    const [requested] = await this.#jobs(jobsSql.requestCancel, [id, userId, reason, data, this.#channel]);
    if (requested) return { job: requested, state: 'requested' };
    const row = await this.#getRow(id, scope);
    if (!row) throw jobNotFound(id);
    // It may have been claimed between the two updates above; try once more before calling it finished.
    if (row.status === 'pending' || row.status === 'running' || row.status === 'waiting') {
      return this.cancel(id, reason, scope);
    }
    return { job: jobFromPgJson(row), state: 'already_finished' };
  }

  async changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job> {
    if (!isJobId(id)) throw jobNotFound(id);
    const userId = scope.all ? null : scope.userId;
    const [changed] = await this.#jobs(jobsSql.changePriority, [
      id,
      userId,
      priorityRank(priority),
      `Priority changed to ${priority}`,
      { priority },
    ]);
    if (changed) return changed;
    const row = await this.#getRow(id, scope);
    if (!row) throw jobNotFound(id);
    const job = jobFromPgJson(row);
    // Retried back to pending between the update and this read: try once more.
    if (job.status === 'pending') return this.changePriority(id, priority, scope);
    throw jobNotPending(job);
  }

  async cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome> {
    const result: BulkCancelOutcome = {
      cancelled: [],
      cancelRequested: [],
      alreadyFinished: [],
      notFound: [],
    };
    for (const id of new Set(ids)) {
      try {
        const outcome = await this.cancel(id, reason, scope);
        if (outcome.state === 'cancelled') result.cancelled.push(id);
        else if (outcome.state === 'requested') result.cancelRequested.push(id);
        else result.alreadyFinished.push(id);
      } catch (error) {
        if (error instanceof ReelqueueError && error.code === 'JOB_NOT_FOUND') result.notFound.push(id);
        else throw error;
      }
    }
    return result;
  }

  async retry(id: string, request: RetryRequest, scope: Scope, options: RetryOptions = {}): Promise<Job> {
    if (options.activeLimit === undefined) return this.#retryWithoutLimit(id, request, scope);
    const [outcome] = await this.retryMany([id], request, scope, options);
    if (!outcome) throw jobNotFound(id);
    if (outcome.error) throw outcome.error;
    return outcome.job;
  }

  /** Without a limit to hold, a retry is one statement (the CLI's). */
  async #retryWithoutLimit(id: string, request: RetryRequest, scope: Scope): Promise<Job> {
    if (!isJobId(id)) throw jobNotFound(id);
    const [retried] = await this.#jobs(jobsSql.retry, this.#retryParams(id, request, scope)).catch(
      async (error: unknown) => {
        // A refused re-charge (trigger of migration 0004): name the owner and the cost.
        const job = isPointsError(error) ? await this.#getRow(id, scope) : undefined;
        const owner = job ? [{ userId: job.user_id, costPoints: job.cost_points }] : [];
        throw mapPointsError(error, () => chargedOwners(owner));
      },
    );
    if (retried) return retried;
    const current = await this.#getRow(id, scope);
    if (!current) throw jobNotFound(id);
    checkRetryable(jobFromPgJson(current), request);
    throw changedWhileRetrying(id, current.status);
  }

  #retryParams(id: string, request: RetryRequest, scope: Scope): unknown[] {
    return [id, scope.all ? null : scope.userId, request.force, { force: request.force }, this.#channel];
  }

  /**
   * One transaction: with a limit, it first takes the lock of every owner concerned (the lock
   * `enqueue` takes), so that the counts it reads stay true until it commits, whichever node queues
   * or retries for the same owner meanwhile.
   */
  async retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options: RetryOptions = {},
  ): Promise<RetryOutcome[]> {
    const distinct = distinctIds(ids);
    if (distinct.length === 0) return [];
    return inTransaction(this.#pool, async (client) => {
      if (options.activeLimit !== undefined) {
        const owner = scope.all ? null : scope.userId;
        await this.#rows(jobsSql.lockOwnersOf, [distinct.filter(isJobId), owner], client);
      }
      const outcomes: RetryOutcome[] = [];
      for (const id of distinct) {
        outcomes.push(
          await this.#retryOne(client, id, request, scope, options).then(
            (job): RetryOutcome => ({ jobId: id, job, error: null }),
            (error: unknown) => refusedRetry(id, error),
          ),
        );
      }
      return outcomes;
    });
  }

  /** Re-queues one job inside `client`'s transaction, which holds its owner's lock when limited. */
  async #retryOne(
    client: PgClient,
    id: string,
    request: RetryRequest,
    scope: Scope,
    options: RetryOptions,
  ): Promise<Job> {
    const row = await this.#getRow(id, scope, client);
    if (!row) throw jobNotFound(id);
    const job = jobFromPgJson(row);
    checkRetryable(job, request);
    const limit = activeLimitFor(job, options.activeLimit);
    if (limit !== undefined) {
      const [count] = await this.#rows<{ active: number }>(jobsSql.countActive, [job.userId], client);
      const active = count?.active ?? 0;
      if (active >= limit) throw tooManyJobs(limit, active);
    }
    const retry = () => this.#jobs(jobsSql.retry, this.#retryParams(id, request, scope), client);
    // A refused charge aborts the statement; its savepoint keeps the rest of the transaction.
    const [retried] =
      job.userId !== null && row.cost_points > 0
        ? await withSavepoint(client, retry).catch((error: unknown) => {
            throw mapPointsError(error, () =>
              chargedOwners([{ userId: job.userId, costPoints: row.cost_points }]),
            );
          })
        : await retry();
    if (!retried) throw changedWhileRetrying(id, job.status);
    return retried;
  }

  async #recover(condition: string, cause: RecoveryCause, params: unknown[]): Promise<RecoveryOutcome> {
    const rows = await this.#rows<{ id: string; status: string }>(jobsSql.recoverWhere(condition, cause), [
      this.#channel,
      this.#maxLostAttempts,
      ...params,
    ]);
    return {
      requeued: rows.filter((row) => row.status === 'pending').map((row) => row.id),
      failed: rows.filter((row) => row.status === 'failed').map((row) => row.id),
      cancelled: rows.filter((row) => row.status === 'cancelled').map((row) => row.id),
    };
  }

  async timeOutWaiting(): Promise<Job[]> {
    const ended = await this.#jobs(jobsSql.timeOutWaiting, []);
    return Promise.all(ended.map((job) => this.#ended(job)));
  }

  recoverExpiredLeases(): Promise<RecoveryOutcome> {
    return this.#recover(leaseExpired, 'lease_expired', []);
  }

  async recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome> {
    checkedMinutes('timeout_minutes', timeoutMinutes);
    return this.#recover(heartbeatOlderThan, 'heartbeat_stale', [timeoutMinutes]);
  }

  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome> {
    return this.#recover(heldByWorkers, 'worker_gone', [workerIds]);
  }

  async registerWorker(workerId: string, identity: RecordableIdentity): Promise<void> {
    const { hostname, bootId, pidNamespace, pid, startTime } = identity;
    await this.#pool.query(workersSql.register, [workerId, hostname, bootId, pidNamespace, pid, startTime]);
  }

  async unregisterWorkers(workerIds: readonly string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await this.#pool.query(workersSql.unregister, [workerIds]);
  }

  async workersOnHost(hostname: string): Promise<WorkerProcess[]> {
    const { rows } = await this.#pool.query<WorkerProcessRow>(workersSql.onHost, [hostname]);
    return rows.map(workerProcessFromRow);
  }

  async cleanup(maxAgeHours: number, scope: Scope, filter: CleanupFilter = {}): Promise<number> {
    checkedHours('max_age_hours', maxAgeHours);
    const statuses = cleanupStatuses(filter.statuses);
    const sql = filter.ageFrom === 'created' ? jobsSql.cleanupCreatedBefore : jobsSql.cleanup;
    const [cutoff] = await this.#rows<{ before: string }>(jobsSql.cleanupCutoff, [maxAgeHours]);
    const params = [cutoff?.before, scope.all ? null : scope.userId, statuses];
    // Each batch its own transaction: row locks on one batch at a time, and autovacuum reclaims the
    // dead rows of those already committed while the next ones go.
    const batch = new CleanupBatchSize();
    let deleted = 0;
    for (;;) {
      const size = batch.size;
      const started = performance.now();
      const result = await this.#pool.query(sql, [...params, size]);
      batch.took(performance.now() - started);
      const changes = result.rowCount ?? 0;
      deleted += changes;
      if (changes < size) return deleted;
    }
  }

  async deleteJob(id: string, scope: Scope): Promise<void> {
    const job = await this.get(id, scope);
    if (!job) throw jobNotDeleted(id, null);
    const rows = await this.#rows(maintenanceSql.deleteFinishedJob, [id, scope.all ? null : scope.userId]);
    if (rows.length === 0) throw jobNotDeleted(id, await this.get(id, scope));
  }

  async timeSeries(hours: number, bucket: TimeBucket, scope: Scope): Promise<JobTimeSeries> {
    checkedSeriesWindow(hours, bucket);
    const params = [hours, BUCKET_SECONDS[bucket], scope.all ? null : scope.userId];
    // Without JIT: the planner multiplies the rows of the per-bucket parts it joins (billions, as it
    // estimates, at a million jobs), so jit_above_cost always tripped and compiling took seconds,
    // more than the statement (a 1 h series on 1M jobs: 3.4 s of JIT in 4.1 s).
    const rows = await inTransaction(this.#pool, async (client) => {
      await client.query(timeSeriesSql.withoutJit);
      return this.#rows<TimeSeriesRow & { start: Date }>(timeSeriesSql.series, params, client);
    });
    return { periodHours: hours, bucket, points: rows.map((row) => pointFromRow(row, row.start)) };
  }

  async claimMaintenanceRun(name: string, intervalSeconds: number, node: string): Promise<boolean> {
    checkedHours('interval', intervalSeconds / 3600);
    const rows = await this.#rows(maintenanceSql.claimRun, [name, node, intervalSeconds]);
    return rows.length > 0;
  }

  async expireVideos(maxAgeHours: number): Promise<number> {
    checkedHours('max_age_hours', maxAgeHours);
    return (await this.#rows(maintenanceSql.expireVideos, [maxAgeHours])).length;
  }

  async #oldestPendingAgeMs(
    userId: string | null,
    db: PgPool | PgClient = this.#pool,
  ): Promise<number | null> {
    const [row] = await this.#rows<{ age: number | null }>(jobsSql.oldestPendingAgeMs, [userId], db);
    return row?.age === null || row?.age === undefined ? null : Number(row.age);
  }

  async health(scope: Scope, hours: number | null = null): Promise<HealthMetrics> {
    if (hours !== null) checkedHours('hours', hours);
    if (scope.all) {
      await this.#foldIfBehind();
      if (hours !== null) {
        const { rows, oldestPendingAgeMs } = await this.#windowFigures(hours, false);
        return healthFromRollups(rows.counts, oldestPendingAgeMs);
      }
      const [counts, age] = await Promise.all([
        this.#rows<CountRow>(rollupsSql.allTimeCounts),
        this.#oldestPendingAgeMs(null),
      ]);
      return healthFromRollups(counts, age);
    }
    // One owner's (an API key's): the owner's jobs only, from jobs_user_created_idx.
    type Count = { status: string; count: number };
    const counts =
      hours !== null
        ? await this.#rows<Count>(jobsSql.countByStatusOfOwnerInWindow, [hours, scope.userId])
        : await this.#rows<Count>(jobsSql.countByStatusOfOwner, [scope.userId]);
    return healthFrom(countsByStatus(counts), await this.#oldestPendingAgeMs(scope.userId));
  }

  async statistics(hours: number, scope: Scope): Promise<JobStatistics> {
    checkedHours('hours', hours);
    if (scope.all) {
      await this.#foldIfBehind();
      const { rows, start, oldestPendingAgeMs } = await this.#windowFigures(hours, true);
      const completed = durationCount(rows);
      const exact =
        completed > EXACT_DURATIONS_LIMIT
          ? null
          : completed === 0
            ? []
            : (await this.#rows<{ seconds: number }>(rollupsSql.exactDurations, [start])).map(
                (row) => row.seconds,
              );
      return statisticsFromRollups(hours, rows, exact, oldestPendingAgeMs);
    }
    // One owner's (an API key's): ranges of jobs_user_created_idx, the owner's jobs of the window.
    const params = [hours, scope.userId];
    const [statusRows, priorityRows, errorRows, timingRows, retriedRows] = await Promise.all([
      this.#rows<{ status: string; count: number }>(jobsSql.countByStatusOfOwnerInWindow, params),
      this.#rows<{ priority: number; count: number }>(jobsSql.ownerPriorityCounts, params),
      this.#rows<{ error_code: string; count: number }>(jobsSql.ownerErrorCounts, params),
      this.#rows<{
        count: number;
        average: number | null;
        max: number | null;
        p50: number | null;
        p95: number | null;
        p99: number | null;
      }>(jobsSql.ownerTimings, params),
      this.#rows<{ count: number }>(jobsSql.ownerRetried, params),
    ]);
    const totals = countsByStatus(statusRows);
    const health = healthFrom(totals, await this.#oldestPendingAgeMs(scope.userId));
    const timing = timingRows[0];
    const num = (value: number | null | undefined) =>
      value === null || value === undefined ? null : Number(value);
    return {
      periodHours: hours,
      totals,
      total: health.total,
      failureRate: health.failureRate,
      oldestPendingJobAgeMinutes: health.oldestPendingJobAgeMinutes,
      processingTimeSeconds: {
        count: Number(timing?.count ?? 0),
        average: num(timing?.average),
        p50: num(timing?.p50),
        p95: num(timing?.p95),
        p99: num(timing?.p99),
        max: num(timing?.max),
      },
      priorityDistribution: countsByPriority(priorityRows),
      errorCodes: Object.fromEntries(errorRows.map((row) => [row.error_code, Number(row.count)])),
      retriedJobs: Number(retriedRows[0]?.count ?? 0),
    };
  }

  /**
   * The rollup rows of the window of the last `hours`, its edge counted from the jobs, and the
   * oldest pending job's age: the database clock, then one statement (one snapshot).
   */
  async #windowFigures(
    hours: number,
    all: boolean,
  ): Promise<{ rows: WindowRows; start: number; oldestPendingAgeMs: number | null }> {
    const [clock] = await this.#rows<{ now: number }>(rollupsSql.now);
    const window = rollupWindow(Number(clock?.now), hours);
    const edge = window.edge ?? { from: 0, to: 0, sign: 1 as const };
    const [figures] = await this.#rows<{
      counts: CountRow[];
      errors: ErrorRow[];
      durations: DurationRow[];
      edge_counts: CountRow[];
      edge_errors: ErrorRow[];
      edge_durations: DurationRow[];
      oldest_pending_ms: number | null;
    }>(windowFiguresSql, [window.minuteFrom, window.hourFrom, window.dayFrom, edge.from, edge.to, all]);
    if (!figures) throw new Error('the window figures statement returned no row');
    const rows = withEdge(
      { counts: figures.counts, errors: figures.errors, durations: figures.durations },
      { counts: figures.edge_counts, errors: figures.edge_errors, durations: figures.edge_durations },
      edge.sign,
    );
    return { rows, start: window.start, oldestPendingAgeMs: figures.oldest_pending_ms };
  }

  /** Folds first when many deltas wait (no process folded for a while), so the read stays short. */
  async #foldIfBehind(): Promise<void> {
    // Checked at most once a second per store: the folders keep the backlog short in service.
    if (performance.now() - this.#backlogCheckedAt < 1_000) return;
    this.#backlogCheckedAt = performance.now();
    for (;;) {
      const [row] = await this.#rows<{ backlog: number }>(rollupsSql.backlog);
      if (Number(row?.backlog ?? 0) <= FOLD_BEFORE_READ_BACKLOG) return;
      if ((await this.foldRollups()) === 0) return;
    }
  }

  async foldRollups(): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      const [lock] = await this.#rows<{ locked: boolean }>(rollupsSql.tryFoldLock, [], client);
      if (!lock?.locked) return 0;
      const [row] = await this.#rows<{ moved: number }>(rollupsSql.fold, [FOLD_BATCH], client);
      return row?.moved ?? 0;
    });
  }

  /**
   * Under the fold's lock (no fold runs meanwhile), in one REPEATABLE READ snapshot: the rollups and
   * the deltas that snapshot sees are replaced by a count of the jobs it sees. The deltas of writes
   * committed after the snapshot stay, and apply on top of that count. The lock is the
   * transaction's (so nothing outlives it behind a transaction-mode pooler); its statement takes
   * the snapshot, so a fold that commits while the rebuild waits for the lock makes the rebuild's
   * deletes conflict (40001) and the rebuild starts again with a newer snapshot.
   */
  async rebuildRollups(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#rebuildRollupsOnce();
        break;
      } catch (error) {
        if (pgCode(error) !== SERIALIZATION_FAILURE || attempt >= REBUILD_ATTEMPTS) throw error;
      }
    }
    while ((await this.foldRollups()) > 0);
  }

  async #rebuildRollupsOnce(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query(rollupsSql.rebuildLock);
      for (const sql of rollupsSql.rebuildClear) await client.query(sql);
      await client.query(rollupsSql.rebuildDeltas);
      await client.query('COMMIT');
    } catch (error) {
      noteIfConnectionLost(client, error);
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  onJobAvailable(listener: (jobs?: AvailableJobs) => void): () => void {
    this.#listener.on('available', listener);
    this.#listener.start();
    return () => this.#listener.off('available', listener);
  }

  onJobsReadied(listener: (jobs: AvailableJobs) => void): () => void {
    this.#readied.on('readied', listener);
    return () => this.#readied.off('readied', listener);
  }

  onCancelRequested(listener: (jobId: string) => void): () => void {
    this.#listener.on('cancel', listener);
    this.#listener.start();
    return () => this.#listener.off('cancel', listener);
  }

  async ping(): Promise<void> {
    await this.#pool.query(jobsSql.ping);
  }
}
