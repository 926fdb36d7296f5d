/**
 * A JobStore that sends its wake-ups over Redis (WAKE_UPS=redis, redis-wake-ups.ts) instead of
 * PostgreSQL's NOTIFY, which a process with no LISTEN session cannot hear: after each write that made
 * jobs claimable (enqueue, a retry, a release, a recovery) it announces how many, and after each
 * cancel request of a running job, which one. Workers subscribe through `onJobAvailable` and
 * `onCancelRequested`. What the database made claimable inside a write (children a parent's end
 * readied, webhook deliveries a finished job queued) and jobs whose `run_at` was ahead (a retry's
 * delay), as they fall due, come from the store's `onJobsReadied`; schedule ticks from the schedule
 * store (waking-schedule-store.ts). Everything else passes straight through.
 */
import type { Job, JobPriority, JsonObject, Lease, ResolvedNewJob } from '../jobs/model.js';
import type {
  AvailableJobs,
  BulkCancelOutcome,
  CancelOutcome,
  EnqueueOptions,
  EnqueueResult,
  Failure,
  JobStore,
  RecoveryOutcome,
  RetryOptions,
  RetryOutcome,
  RetryRequest,
  Scope,
} from '../jobs/store.js';
import { availableJobs, splitByDue } from '../jobs/due-wake-ups.js';
import type { RedisWakeUps } from './redis-wake-ups.js';

export class WakingJobStore implements JobStore {
  readonly dialect: JobStore['dialect'];

  constructor(
    private readonly store: JobStore,
    private readonly wakeUps: RedisWakeUps,
  ) {
    this.dialect = store.dialect;
    // For as long as the store lives: the decorator is never closed apart from it.
    store.onJobsReadied((jobs) => wakeUps.announceAvailable(jobs));
  }

  async enqueue(job: ResolvedNewJob, options?: EnqueueOptions): Promise<EnqueueResult> {
    const result = await this.store.enqueue(job, options);
    // A job with a `run_at` ahead is announced when it falls due (the store's `onJobsReadied`).
    if (result.created) this.wakeUps.announceAvailable(availableJobs(splitByDue([result.job]).now));
    return result;
  }

  async enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]> {
    const results = await this.store.enqueueMany(jobs);
    const created = results.filter((r) => r.created).map((r) => r.job);
    this.wakeUps.announceAvailable(availableJobs(splitByDue(created).now));
    return results;
  }

  async fail(lease: Lease, failure: Failure): Promise<Job> {
    const job = await this.store.fail(lease, failure);
    // A retry with a delay is announced when it falls due (the store's `onJobsReadied`).
    this.wakeUps.announceAvailable(availableJobs(splitByDue([job]).now));
    return job;
  }

  async waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job> {
    const job = await this.store.waitForJobs(lease, jobIds, message);
    if (job.status === 'pending') this.wakeUps.announceAvailable(availableJobs([job]));
    return job;
  }

  async release(leases: readonly Lease[]): Promise<string[]> {
    const released = await this.store.release(leases);
    this.wakeUps.announceAvailable({ count: released.length, kind: null });
    return released;
  }

  async cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome> {
    const outcome = await this.store.cancel(id, reason, scope);
    if (outcome.state === 'requested') this.wakeUps.announceCancel(outcome.job.id);
    return outcome;
  }

  async cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome> {
    const outcome = await this.store.cancelMany(ids, reason, scope);
    for (const jobId of outcome.cancelRequested) this.wakeUps.announceCancel(jobId);
    return outcome;
  }

  async changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job> {
    return this.store.changePriority(id, priority, scope);
  }

  async retry(id: string, request: RetryRequest, scope: Scope, options?: RetryOptions): Promise<Job> {
    const job = await this.store.retry(id, request, scope, options);
    this.wakeUps.announceAvailable(availableJobs([job]));
    return job;
  }

  async retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options?: RetryOptions,
  ): Promise<RetryOutcome[]> {
    const outcomes = await this.store.retryMany(ids, request, scope, options);
    this.wakeUps.announceAvailable(availableJobs(outcomes.flatMap((o) => (o.job ? [o.job] : []))));
    return outcomes;
  }

  /** The children and webhook deliveries its ends ready come from the store's `onJobsReadied`. */
  timeOutWaiting(): Promise<Job[]> {
    return this.store.timeOutWaiting();
  }

  recoverExpiredLeases(): Promise<RecoveryOutcome> {
    return this.#recovering(this.store.recoverExpiredLeases());
  }

  recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome> {
    return this.#recovering(this.store.recoverStale(timeoutMinutes));
  }

  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome> {
    return this.#recovering(this.store.recoverJobsOfWorkers(workerIds));
  }

  async #recovering(recovery: Promise<RecoveryOutcome>): Promise<RecoveryOutcome> {
    const outcome = await recovery;
    this.wakeUps.announceAvailable({ count: outcome.requeued.length, kind: null });
    return outcome;
  }

  /**
   * SQLite's own wake-ups (an in-process signal and the wake file beside the database) already
   * reach every process that can open the database, for every path: hearing Redis too would hear
   * each wake-up twice, and the second answer, finding nothing, would teach a lone worker's lottery
   * to answer less (its next wake-ups went unanswered, left to a poll). PostgreSQL sends none
   * without LISTEN: there Redis is the only one.
   */
  get #storeHearsAll(): boolean {
    return this.store.dialect === 'sqlite';
  }

  onJobAvailable(listener: (jobs?: AvailableJobs) => void): () => void {
    if (this.#storeHearsAll) return this.store.onJobAvailable(listener);
    const fromRedis = this.wakeUps.onAvailable(listener);
    const fromStore = this.store.onJobAvailable(listener);
    return () => {
      fromRedis();
      fromStore();
    };
  }

  onJobsReadied(listener: (jobs: AvailableJobs) => void): () => void {
    return this.store.onJobsReadied(listener);
  }

  onCancelRequested(listener: (jobId: string) => void): () => void {
    if (this.#storeHearsAll) return this.store.onCancelRequested(listener);
    const fromRedis = this.wakeUps.onCancel(listener);
    const fromStore = this.store.onCancelRequested(listener);
    return () => {
      fromRedis();
      fromStore();
    };
  }

  claim: JobStore['claim'] = (request) => this.store.claim(request);
  reportProgress: JobStore['reportProgress'] = (lease, update) => this.store.reportProgress(lease, update);
  reportWaitingProgress: JobStore['reportWaitingProgress'] = (id, update) =>
    this.store.reportWaitingProgress(id, update);
  complete: JobStore['complete'] = (lease: Lease, result: JsonObject) => this.store.complete(lease, result);
  completeMany: JobStore['completeMany'] = (completions) => this.store.completeMany(completions);
  markCancelled: JobStore['markCancelled'] = (lease, reason) => this.store.markCancelled(lease, reason);
  registerWorker: JobStore['registerWorker'] = (id, identity) => this.store.registerWorker(id, identity);
  unregisterWorkers: JobStore['unregisterWorkers'] = (ids) => this.store.unregisterWorkers(ids);
  workersOnHost: JobStore['workersOnHost'] = (hostname) => this.store.workersOnHost(hostname);
  heartbeat: JobStore['heartbeat'] = (leases, leaseSeconds) => this.store.heartbeat(leases, leaseSeconds);
  get: JobStore['get'] = (id, scope) => this.store.get(id, scope);
  list: JobStore['list'] = (filter, scope) => this.store.list(filter, scope);
  getWithPosition: JobStore['getWithPosition'] = (id, scope) => this.store.getWithPosition(id, scope);
  queuePositions: JobStore['queuePositions'] = (ids) => this.store.queuePositions(ids);
  storedIds: JobStore['storedIds'] = (ids) => this.store.storedIds(ids);
  listEvents: JobStore['listEvents'] = (jobId, after, limit) => this.store.listEvents(jobId, after, limit);
  deleteJob: JobStore['deleteJob'] = (id, scope) => this.store.deleteJob(id, scope);
  claimMaintenanceRun: JobStore['claimMaintenanceRun'] = (name, intervalSeconds, node) =>
    this.store.claimMaintenanceRun(name, intervalSeconds, node);
  expireVideos: JobStore['expireVideos'] = (maxAgeHours) => this.store.expireVideos(maxAgeHours);
  foldRollups: JobStore['foldRollups'] = () => this.store.foldRollups();
  rebuildRollups: JobStore['rebuildRollups'] = () => this.store.rebuildRollups();
  cleanup: JobStore['cleanup'] = (maxAgeHours, scope, filter) =>
    this.store.cleanup(maxAgeHours, scope, filter);
  health: JobStore['health'] = (scope, hours) => this.store.health(scope, hours);
  statistics: JobStore['statistics'] = (hours, scope) => this.store.statistics(hours, scope);
  timeSeries: JobStore['timeSeries'] = (hours, bucket, scope) => this.store.timeSeries(hours, bucket, scope);
  msUntilNextDue: JobStore['msUntilNextDue'] = (kinds) => this.store.msUntilNextDue(kinds);
  ping: JobStore['ping'] = () => this.store.ping();
  dependencies: JobStore['dependencies'] = (id, scope) => this.store.dependencies(id, scope);
  exportJobs: JobStore['exportJobs'] = (filter, afterId, limit) =>
    this.store.exportJobs(filter, afterId, limit);

  async importJobs(
    records: Parameters<JobStore['importJobs']>[0],
    onConflict: Parameters<JobStore['importJobs']>[1],
  ): ReturnType<JobStore['importJobs']> {
    const outcome = await this.store.importJobs(records, onConflict);
    if (outcome.imported.length > 0)
      this.wakeUps.announceAvailable({ count: outcome.imported.length, kind: null });
    return outcome;
  }
}
