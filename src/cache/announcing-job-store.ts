/**
 * A JobStore that announces (JobSignals) the jobs each of its writes gave new events, once the write
 * has returned, i.e. committed. Reads, heartbeats and cleanup pass straight through: they write no
 * event. The announcement is a wake-up only (see job-signals.ts), so it never fails a write.
 */
import type { Job, JobPriority, JsonObject, Lease, ResolvedNewJob } from '../jobs/model.js';
import type {
  BulkCancelOutcome,
  CancelOutcome,
  ClaimRequest,
  Completion,
  EnqueueOptions,
  EnqueueResult,
  Failure,
  ImportConflictRule,
  ImportOutcome,
  JobStore,
  ProgressUpdate,
  RecoveryOutcome,
  RetryOptions,
  RetryOutcome,
  RetryRequest,
  Scope,
  TransferredJob,
} from '../jobs/store.js';
import type { JobSignals } from './job-signals.js';

export class AnnouncingJobStore implements JobStore {
  readonly dialect: JobStore['dialect'];

  constructor(
    private readonly store: JobStore,
    private readonly signals: JobSignals,
  ) {
    this.dialect = store.dialect;
  }

  async #announced<T>(write: Promise<T>, ids: (result: T) => readonly string[]): Promise<T> {
    const result = await write;
    this.signals.announce(ids(result));
    return result;
  }

  enqueue(job: ResolvedNewJob, options?: EnqueueOptions): Promise<EnqueueResult> {
    return this.#announced(this.store.enqueue(job, options), (r) => (r.created ? [r.job.id] : []));
  }

  enqueueMany(jobs: readonly ResolvedNewJob[]): Promise<EnqueueResult[]> {
    return this.#announced(this.store.enqueueMany(jobs), (rs) =>
      rs.filter((r) => r.created).map((r) => r.job.id),
    );
  }

  claim(request: ClaimRequest): Promise<Job[]> {
    return this.#announced(this.store.claim(request), (jobs) => jobs.map((job) => job.id));
  }

  reportProgress(lease: Lease, update: ProgressUpdate): Promise<void> {
    return this.#announced(this.store.reportProgress(lease, update), () => [lease.jobId]);
  }

  complete(lease: Lease, result: JsonObject): Promise<Job> {
    return this.#announced(this.store.complete(lease, result), () => [lease.jobId]);
  }

  completeMany(completions: readonly Completion[]): Promise<boolean[]> {
    return this.#announced(this.store.completeMany(completions), (held) =>
      completions.filter((_, i) => held[i]).map((c) => c.lease.jobId),
    );
  }

  fail(lease: Lease, failure: Failure): Promise<Job> {
    return this.#announced(this.store.fail(lease, failure), () => [lease.jobId]);
  }

  markCancelled(lease: Lease, reason: string | null): Promise<Job> {
    return this.#announced(this.store.markCancelled(lease, reason), () => [lease.jobId]);
  }

  reportWaitingProgress(jobId: string, update: ProgressUpdate): Promise<boolean> {
    return this.#announced(this.store.reportWaitingProgress(jobId, update), () => [jobId]);
  }

  waitForJobs(lease: Lease, jobIds: readonly string[], message: string): Promise<Job> {
    return this.#announced(this.store.waitForJobs(lease, jobIds, message), () => [lease.jobId]);
  }

  release(leases: readonly Lease[]): Promise<string[]> {
    // Released jobs and jobs ended as cancelled both got an event; the result names only the former.
    return this.#announced(this.store.release(leases), () => leases.map((lease) => lease.jobId));
  }

  cancel(id: string, reason: string | null, scope: Scope): Promise<CancelOutcome> {
    return this.#announced(this.store.cancel(id, reason, scope), (o) =>
      o.state === 'already_finished' ? [] : [o.job.id],
    );
  }

  changePriority(id: string, priority: JobPriority, scope: Scope): Promise<Job> {
    return this.#announced(this.store.changePriority(id, priority, scope), (job) => [job.id]);
  }

  cancelMany(ids: readonly string[], reason: string | null, scope: Scope): Promise<BulkCancelOutcome> {
    return this.#announced(this.store.cancelMany(ids, reason, scope), (o) => [
      ...o.cancelled,
      ...o.cancelRequested,
    ]);
  }

  retry(id: string, request: RetryRequest, scope: Scope, options?: RetryOptions): Promise<Job> {
    return this.#announced(this.store.retry(id, request, scope, options), (job) => [job.id]);
  }

  retryMany(
    ids: readonly string[],
    request: RetryRequest,
    scope: Scope,
    options?: RetryOptions,
  ): Promise<RetryOutcome[]> {
    return this.#announced(this.store.retryMany(ids, request, scope, options), (outcomes) =>
      outcomes.flatMap((outcome) => (outcome.job ? [outcome.jobId] : [])),
    );
  }

  timeOutWaiting(): Promise<Job[]> {
    return this.#announced(this.store.timeOutWaiting(), (jobs) => jobs.map((job) => job.id));
  }

  recoverExpiredLeases(): Promise<RecoveryOutcome> {
    return this.#announced(this.store.recoverExpiredLeases(), recovered);
  }

  recoverStale(timeoutMinutes: number): Promise<RecoveryOutcome> {
    return this.#announced(this.store.recoverStale(timeoutMinutes), recovered);
  }

  recoverJobsOfWorkers(workerIds: readonly string[]): Promise<RecoveryOutcome> {
    return this.#announced(this.store.recoverJobsOfWorkers(workerIds), recovered);
  }

  importJobs(records: readonly TransferredJob[], onConflict: ImportConflictRule): Promise<ImportOutcome> {
    return this.#announced(this.store.importJobs(records, onConflict), (outcome) => outcome.imported);
  }

  registerWorker: JobStore['registerWorker'] = (id, identity) => this.store.registerWorker(id, identity);
  unregisterWorkers: JobStore['unregisterWorkers'] = (ids) => this.store.unregisterWorkers(ids);
  workersOnHost: JobStore['workersOnHost'] = (hostname) => this.store.workersOnHost(hostname);

  heartbeat: JobStore['heartbeat'] = (leases, leaseSeconds) => this.store.heartbeat(leases, leaseSeconds);
  get: JobStore['get'] = (id, scope) => this.store.get(id, scope);
  list: JobStore['list'] = (filter, scope) => this.store.list(filter, scope);
  getWithPosition: JobStore['getWithPosition'] = (id, scope) => this.store.getWithPosition(id, scope);
  queuePositions: JobStore['queuePositions'] = (ids) => this.store.queuePositions(ids);
  storedIds: JobStore['storedIds'] = (ids) => this.store.storedIds(ids);
  dependencies: JobStore['dependencies'] = (id, scope) => this.store.dependencies(id, scope);
  listEvents: JobStore['listEvents'] = (jobId, after, limit) => this.store.listEvents(jobId, after, limit);
  exportJobs: JobStore['exportJobs'] = (filter, afterId, limit) =>
    this.store.exportJobs(filter, afterId, limit);
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
  onJobAvailable: JobStore['onJobAvailable'] = (listener) => this.store.onJobAvailable(listener);
  onJobsReadied: JobStore['onJobsReadied'] = (listener) => this.store.onJobsReadied(listener);
  onCancelRequested: JobStore['onCancelRequested'] = (listener) => this.store.onCancelRequested(listener);
  msUntilNextDue: JobStore['msUntilNextDue'] = (kinds) => this.store.msUntilNextDue(kinds);
  ping: JobStore['ping'] = () => this.store.ping();
}

const recovered = (o: RecoveryOutcome) => [...o.requeued, ...o.failed, ...o.cancelled];
