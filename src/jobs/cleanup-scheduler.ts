/**
 * Scheduled cleanup (seed 003's "automatic cleanup of old finished jobs"): every process may run a
 * scheduler, and every CLEANUP_INTERVAL_MINUTES exactly one of them takes the run in the database
 * (`claimMaintenanceRun`) and deletes finished jobs older than CLEANUP_MAX_AGE_HOURS (of
 * CLEANUP_STATUSES only, when set) and, with VIDEO_RETENTION_HOURS, the videos of older completed jobs.
 */
import type { Logger } from '../logger.js';
import { cleanupStatuses } from './cleanup-filter.js';
import { ALL_JOBS, type JobStore } from './store.js';

export const CLEANUP_RUN = 'cleanup';

export interface CleanupSchedule {
  intervalMinutes: number;
  maxAgeHours: number;
  /** Finished statuses to delete; empty: all. */
  statuses: readonly string[];
  /** 0 keeps videos as long as their jobs. */
  videoRetentionHours: number;
  /** This process, as recorded in `maintenance_runs.node`. */
  node: string;
  logger: Logger;
}

export interface CleanupRun {
  node: string;
  deletedJobs: number;
  expiredVideos: number;
}

export class CleanupScheduler {
  readonly #store: JobStore;
  readonly #schedule: CleanupSchedule;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = true;

  constructor(store: JobStore, schedule: CleanupSchedule) {
    this.#store = store;
    this.#schedule = schedule;
    cleanupStatuses(schedule.statuses);
  }

  /** Starts ticking; a no-op with an interval of 0. */
  start(): void {
    if (!this.#stopped || this.#schedule.intervalMinutes <= 0) return;
    this.#stopped = false;
    this.#next(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /**
   * Runs the cleanup if this node takes the current interval's run; null when another node has run
   * it within the interval.
   */
  async tick(): Promise<CleanupRun | null> {
    const { intervalMinutes, maxAgeHours, videoRetentionHours, node, logger } = this.#schedule;
    if (!(await this.#store.claimMaintenanceRun(CLEANUP_RUN, intervalMinutes * 60, node))) return null;
    const statuses = cleanupStatuses(this.#schedule.statuses) ?? undefined;
    const deletedJobs = await this.#store.cleanup(maxAgeHours, ALL_JOBS, { statuses });
    const expiredVideos = videoRetentionHours > 0 ? await this.#store.expireVideos(videoRetentionHours) : 0;
    const run = { node, deletedJobs, expiredVideos };
    logger.info(run, 'scheduled cleanup ran');
    return run;
  }

  /** Checks a few times per interval (at most every minute) so a run is never much later than due. */
  #next(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .catch((error: unknown) =>
          this.#schedule.logger.error({ err: error }, 'scheduled cleanup failed; will try again'),
        )
        .finally(() => {
          this.#running = null;
          const intervalMs = this.#schedule.intervalMinutes * 60_000;
          this.#next(Math.min(intervalMs / 4, 60_000) * (0.75 + Math.random() / 2));
        });
    }, delayMs);
    this.#timer.unref();
  }
}
