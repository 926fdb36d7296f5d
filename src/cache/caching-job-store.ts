/**
 * A JobStore whose status reads (`get`, `getWithPosition`) are served from Redis (cache-aside, see
 * redis-status-cache.ts) and whose every write invalidates the jobs it touched before it returns,
 * so a read that starts after a write returned, on any node, never sees the job as it was before.
 * Listings, events and statistics read the database as before.
 *
 * A write that fails invalidates too (the commit may have happened before the error), the ids it
 * was given at least. A write that may change which jobs are pending also renews the queue's
 * generation: a cached pending job carries its queue position, which other jobs' writes move, and
 * a waiting job (or one a parent failed) changes status when a parent is finished or retried
 * (migration 0030's triggers): those entries count only under the current queue generation.
 */
import {
  isJobId,
  type Job,
  type JobPriority,
  type JsonObject,
  type Lease,
  type ResolvedNewJob,
} from '../jobs/model.js';
import {
  ALL_JOBS,
  inScope,
  type BulkCancelOutcome,
  type CancelOutcome,
  type ClaimRequest,
  type Completion,
  type EnqueueOptions,
  type EnqueueResult,
  type Failure,
  type HeartbeatOutcome,
  type ImportConflictRule,
  type ImportOutcome,
  type JobStore,
  type TransferredJob,
  type PositionedJob,
  type ProgressUpdate,
  type RecoveryOutcome,
  type RetryOptions,
  type RetryOutcome,
  type RetryRequest,
  type Scope,
} from '../jobs/store.js';
import type { RedisStatusCache } from './redis-status-cache.js';

/**
 * Whether a write may change the set or order of pending jobs (their queue positions): always, never,
 * or when it names a job (a claim or recovery that found nothing changed nothing: workers and the
 * reaper poll with those, and must not make every pending job's entry stale each time).
 */
type QueueEffect = 'queue' | 'job only' | 'queue if any';

export class CachingJobStore implements JobStore {
  readonly dialect: JobStore['dialect'];

  constructor(
    private readonly store: JobStore,
    private readonly cache: RedisStatusCache,
  ) {
    this.dialect = store.dialect;
  }

  async get(id: string, scope: Scope): Promise<Job | null> {
    if (!isJobId(id)) return this.store.get(id, scope);
    return (await this.#read(id, scope))?.job ?? null;
  }

  async getWithPosition(id: string, scope: Scope): Promise<PositionedJob | null> {
    if (!isJobId(id)) return this.store.getWithPosition(id, scope);
    return this.#read(id, scope);
  }

  /** The entry is the job as anyone reads it; the scope is applied to it here, as the store would. */
  async #read(id: string, scope: Scope): Promise<PositionedJob | null> {
    const lookup = await this.cache.lookup(id);
    if (lookup.state === 'hit') return inScope(scope, lookup.found.job.userId) ? lookup.found : null;
    const found = await this.store.getWithPosition(id, ALL_JOBS);
    if (found && lookup.state === 'miss') this.cache.fill(id, found, lookup.tags);
    return found && inScope(scope, found.job.userId) ? found : null;
  }

  async #written<T>(
    write: Promise<T>,
    effect: QueueEffect,
    idsOf: (result: T) => readonly string[],
    givenIds: readonly string[] = [],
  ): Promise<T> {
    let result: T;
    try {
      result = await write;
    } catch (error) {
      await this.cache.invalidate(givenIds, effect !== 'job only');
      throw error;
    }
    const ids = [...new Set([...givenIds, ...idsOf(result)])];
    await this.cache.invalidate(ids, effect === 'queue' || (effect === 'queue if any' && ids.length > 0));
    return result;
  }

  enqueue(job: ResolvedNewJob, options?: EnqueueOptions): Promise<EnqueueResult> {
    return this.#written(this.store.enqueue(job, options), 'queue if any', (r) =>
      r.created ? [r.job.id] : [],
    );
  }

  enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]> {
    return this.#written(this.store.enqueueMany(jobs), 'queue if any', (rs) =>
      rs.filter((r) => r.created).map((r) => r.job.id),
    );
  }

  claim(request: ClaimRequest): Promise<Job[]> {
    return this.#written(this.store.claim(request), 'queue if any', (jobs) => jobs.map((job) => job.id));
  }

  heartbeat(leases: readonly Lease[], leaseSeconds: number): Promise<HeartbeatOutcome[]> {
    return this.#written(this.store.heartbeat(leases, leaseSeconds), 'job only', () => [], jobIdsOf(leases));
  }

  reportProgress(lease: Lease, update: ProgressUpdate): Promise<void> {
    return this.#written(this.store.reportProgress(lease, update), 'job only', () => [], [lease.jobId]);
  }

  // Finishing a job can queue another one (a webhook delivery, by a database trigger).
  complete(lease: Lease, result: JsonObject): Promise<Job> {
    return this.#written(this.store.complete(lease, result), 'queue', () => [], [lease.jobId]);
  }

  completeMany(completions: readonly Completion[]): Promise<boolean[]> {
    const ids = completions.map((c) => c.lease.jobId);
    return this.#written(this.store.completeMany(completions), 'queue', () => [], ids);
  }

  fail(lease: Lease, failure: Failure): Promise<Job> {
    return this.#written(this.store.fail(lease, failure), 'queue', () => [], [lease.jobId]);
  }

  markCancelled(lease: Lease, reason: string | null): Promise<Job> {
    return this.#written(this.store.markCancelled(lease, reason), 'queue', () => [], [lease.jobId]);
  }

  reportWaitingProgress(jobId: string, update: ProgressUpdate): Promise<boolean> {
    return this.#written(this.store.reportWaitingProgress(jobId, update), 'job only', () => [], [jobId]);
  }

  waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job> {
    return this.#written(this.store.waitForJobs(lease, jobIds, message), 'queue', () => [], [lease.jobId]);
  }

  release(leases: readonly Lease[]): Promise<string[]> {
    return this.#written(this.store.release(leases), 'queue', () => [], jobIdsOf(leases));
  }

  cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome> {
    return this.#written(this.store.cancel(id, reason, scope), 'queue', () => [], [id]);
  }

  /** A new priority moves the job and those it passes in the queue: every position is renewed. */
  changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job> {
    return this.#written(this.store.changePriority(id, priority, scope), 'queue', () => [], [id]);
  }

  cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome> {
    return this.#written(this.store.cancelMany(ids, reason, scope), 'queue', () => [], ids);
  }

  retry(id: string, request: RetryRequest, scope: Scope, options?: RetryOptions): Promise<Job> {
    return this.#written(this.store.retry(id, request, scope, options), 'queue', () => [], [id]);
  }

  retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options?: RetryOptions,
  ): Promise<RetryOutcome[]> {
    return this.#written(this.store.retryMany(ids, request, scope, options), 'queue', () => [], ids);
  }

  timeOutWaiting(): Promise<Job[]> {
    // A timed-out job's children may become pending (migration 0030's triggers): the queue moves.
    return this.#written(this.store.timeOutWaiting(), 'queue if any', (jobs) => jobs.map((job) => job.id));
  }

  recoverExpiredLeases(): Promise<RecoveryOutcome> {
    return this.#written(this.store.recoverExpiredLeases(), 'queue if any', recovered);
  }

  recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome> {
    return this.#written(this.store.recoverStale(timeoutMinutes), 'queue if any', recovered);
  }

  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome> {
    return this.#written(this.store.recoverJobsOfWorkers(workerIds), 'queue if any', recovered);
  }

  /** Imported pending jobs take places in the queue: every position is renewed. */
  importJobs(records: readonly TransferredJob[], onConflict: ImportConflictRule): Promise<ImportOutcome> {
    const ids = records.map((record) => record.job.id);
    return this.#written(this.store.importJobs(records, onConflict), 'queue', () => [], ids);
  }

  deleteJob(id: string, scope: Scope): Promise<void> {
    return this.#written(this.store.deleteJob(id, scope), 'job only', () => [], [id]);
  }

  // Cleanups name no jobs: any entry may be of a job they deleted or changed.
  async cleanup(...args: Parameters<JobStore['cleanup']>): Promise<number> {
    return this.#everyEntryAfter(this.store.cleanup(...args));
  }

  async expireVideos(maxAgeHours: number): Promise<number> {
    return this.#everyEntryAfter(this.store.expireVideos(maxAgeHours));
  }

  async #everyEntryAfter(write: Promise<number>): Promise<number> {
    try {
      const changed = await write;
      if (changed > 0) await this.cache.invalidateAll();
      return changed;
    } catch (error) {
      await this.cache.invalidateAll();
      throw error;
    }
  }

  registerWorker: JobStore['registerWorker'] = (id, identity) => this.store.registerWorker(id, identity);
  unregisterWorkers: JobStore['unregisterWorkers'] = (ids) => this.store.unregisterWorkers(ids);
  workersOnHost: JobStore['workersOnHost'] = (hostname) => this.store.workersOnHost(hostname);
  list: JobStore['list'] = (filter, scope) => this.store.list(filter, scope);
  queuePositions: JobStore['queuePositions'] = (ids) => this.store.queuePositions(ids);
  storedIds: JobStore['storedIds'] = (ids) => this.store.storedIds(ids);
  // A job's parents never change; its children are read from the database each time.
  dependencies: JobStore['dependencies'] = (id, scope) => this.store.dependencies(id, scope);
  listEvents: JobStore['listEvents'] = (jobId, after, limit) => this.store.listEvents(jobId, after, limit);
  exportJobs: JobStore['exportJobs'] = (filter, afterId, limit) =>
    this.store.exportJobs(filter, afterId, limit);
  claimMaintenanceRun: JobStore['claimMaintenanceRun'] = (name, intervalSeconds, node) =>
    this.store.claimMaintenanceRun(name, intervalSeconds, node);
  health: JobStore['health'] = (scope, hours) => this.store.health(scope, hours);
  statistics: JobStore['statistics'] = (hours, scope) => this.store.statistics(hours, scope);
  // The rollups hold counts, not jobs: nothing cached changes.
  foldRollups: JobStore['foldRollups'] = () => this.store.foldRollups();
  rebuildRollups: JobStore['rebuildRollups'] = () => this.store.rebuildRollups();
  timeSeries: JobStore['timeSeries'] = (hours, bucket, scope) => this.store.timeSeries(hours, bucket, scope);
  onJobAvailable: JobStore['onJobAvailable'] = (listener) => this.store.onJobAvailable(listener);
  onJobsReadied: JobStore['onJobsReadied'] = (listener) => this.store.onJobsReadied(listener);
  onCancelRequested: JobStore['onCancelRequested'] = (listener) => this.store.onCancelRequested(listener);
  msUntilNextDue: JobStore['msUntilNextDue'] = (kinds) => this.store.msUntilNextDue(kinds);
  ping: JobStore['ping'] = () => this.store.ping();
}

const jobIdsOf = (leases: readonly Lease[]) => leases.map((lease) => lease.jobId);
const recovered = (o: RecoveryOutcome) => [...o.requeued, ...o.failed, ...o.cancelled];
