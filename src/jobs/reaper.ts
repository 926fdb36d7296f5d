/**
 * The reaper re-queues jobs whose lease lapsed (their worker died or froze): once at start-up and
 * then every REAPER_INTERVAL_SECONDS, jittered so that many processes do not sweep in step.
 *
 * On the same host it does not wait for the leases: a registered worker (`worker_processes`) whose
 * process is proven gone (`livenessOf`: no process has its pid, another process has it now, or the
 * host rebooted) has its running jobs re-queued at once. A worker that is alive but slow or stopped
 * (SIGSTOP) is never proven gone: its jobs keep their leases. Workers of other hosts or other pid
 * namespaces are left to their leases.
 *
 * Each sweep also ends `timeout` the waiting jobs whose attempt's deadline passed (a job waiting for
 * jobs it started holds no worker, so no worker's timer can end it), and runs the `sweep` of every
 * kind that has one (kinds.ts: a split render's segments whose presentation ended are removed).
 */
import type { Logger } from '../logger.js';
import type { Job } from './model.js';
import type { KindRegistry } from './kinds.js';
import { currentProcessIdentity, livenessOf } from './process-identity.js';
import type { JobStore, RecoveryOutcome } from './store.js';

export class Reaper {
  readonly #store: JobStore;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #kinds: KindRegistry | null;
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #stopped = true;

  constructor(
    store: JobStore,
    options: { intervalSeconds: number; logger: Logger; kinds?: KindRegistry | undefined },
  ) {
    this.#store = store;
    this.#intervalMs = options.intervalSeconds * 1000;
    this.#logger = options.logger;
    this.#kinds = options.kinds ?? null;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#sweeping = this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.#logger.error({ err: error }, 'lease sweep failed; will try again'))
        .finally(() => {
          this.#sweeping = null;
          this.#schedule(this.#intervalMs * (0.75 + Math.random() / 2));
        });
    }, delayMs);
    this.#timer.unref();
  }

  /**
   * One sweep: re-queues (or fails, or cancels) every running job whose lease has lapsed, and every
   * running job of a worker on this host whose process is proven gone.
   */
  async sweep(): Promise<RecoveryOutcome> {
    const outcome = await this.#store.recoverExpiredLeases();
    const total = outcome.requeued.length + outcome.failed.length + outcome.cancelled.length;
    if (total > 0) this.#logger.warn(outcome, 'recovered jobs whose worker stopped heartbeating');
    const ofDead = await this.#recoverDeadWorkersOnThisHost();
    await this.timeOutWaiting();
    await this.#sweepKinds();
    return {
      requeued: [...outcome.requeued, ...ofDead.requeued],
      failed: [...outcome.failed, ...ofDead.failed],
      cancelled: [...outcome.cancelled, ...ofDead.cancelled],
    };
  }

  /** Ends the waiting jobs whose attempt's deadline passed; returns them. */
  async timeOutWaiting(): Promise<Job[]> {
    const ended = await this.#store.timeOutWaiting();
    if (ended.length > 0) {
      this.#logger.warn(
        { jobIds: ended.map((job) => job.id) },
        'timed out jobs whose deadline passed while they waited for the jobs they started',
      );
    }
    return ended;
  }

  /** Each kind's housekeeping; one that fails is logged and does not keep the others from running. */
  async #sweepKinds(): Promise<void> {
    for (const kind of this.#kinds?.withSweeps() ?? []) {
      try {
        const changed = (await kind.sweep?.()) ?? 0;
        if (changed > 0) this.#logger.info({ kind: kind.name, changed }, 'swept jobs of a kind');
      } catch (error) {
        this.#logger.error({ err: error, kind: kind.name }, 'a kind’s sweep failed; will try again');
      }
    }
  }

  async #recoverDeadWorkersOnThisHost(): Promise<RecoveryOutcome> {
    const here = currentProcessIdentity();
    const dead = (await this.#store.workersOnHost(here.hostname)).filter(
      (worker) => livenessOf(worker.identity, here).state === 'gone',
    );
    if (dead.length === 0) return { requeued: [], failed: [], cancelled: [] };
    const ids = dead.map((worker) => worker.workerId);
    const outcome = await this.#store.recoverJobsOfWorkers(ids);
    await this.#store.unregisterWorkers(ids);
    this.#logger.warn({ ...outcome, workers: ids }, 'recovered the jobs of workers whose process is gone');
    return outcome;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#sweeping;
  }
}
