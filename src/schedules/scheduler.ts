/**
 * The scheduler: runs in every process that runs workers (and `serve`), sleeps until the soonest
 * tick of any enabled schedule (never longer than `maxSleepMs`, so schedules another process added
 * are seen), then queues the due ticks of each schedule through `ScheduleStore.fire`. Every node
 * tries every tick; the store's guard lets exactly one of them queue it, so no node is special and
 * a node that dies (even mid-transaction) is simply replaced by the others at the same tick.
 */
import type { Logger } from '../logger.js';
import type { ResolvedNewJob } from '../jobs/model.js';
import { newJobId, type NewJobDefaults } from '../jobs/new-job.js';
import { DEFAULT_ON_TIME_GRACE_MS, dueTicks } from './catch-up.js';
import { SCHEDULE_FIELD, SCHEDULED_FOR_FIELD, tickKey, type Schedule } from './model.js';
import type { ScheduleStore } from './store.js';

/** Longest sleep between two looks at the schedules (a schedule added by another process). */
export const DEFAULT_MAX_SLEEP_MS = 5_000;
/** Sleep after a pass that failed (the database is down), before trying again. */
const ERROR_BACKOFF_MS = 1_000;
/** Due schedules read per query; a pass reads again while it fills a page. */
const DUE_PAGE = 100;

export interface SchedulerSettings {
  store: ScheduleStore;
  logger: Logger;
  /** This process, in logs. */
  node: string;
  jobDefaults: NewJobDefaults;
  /** The time the scheduler goes by; tests pass a fake one. */
  clock?: () => Date;
  graceMs?: number;
  maxSleepMs?: number;
}

/** A tick this scheduler queued. */
export interface FiredTick {
  schedule: string;
  tick: Date;
  jobId: string;
}

/** The job of one tick: ownerless, keyed by (schedule, tick), its payload naming both. */
export function jobForTick(schedule: Schedule, tick: Date, defaults: NewJobDefaults): ResolvedNewJob {
  return {
    id: newJobId(),
    kind: schedule.kind,
    payload: {
      ...schedule.payload,
      [SCHEDULED_FOR_FIELD]: tick.toISOString(),
      [SCHEDULE_FIELD]: schedule.name,
    },
    priority: schedule.priority,
    runAt: null,
    timeoutSeconds: defaults.jobTimeoutSeconds,
    maxRetries: defaults.maxRetries,
    userId: null,
    lessonId: null,
    idempotencyKey: tickKey(schedule.name, tick),
    costPoints: 0,
  };
}

export class Scheduler {
  readonly #settings: Required<SchedulerSettings>;
  #stopped = true;
  #loop: Promise<void> | null = null;
  #wakeUp: (() => void) | null = null;
  /** The last pass could not read the schedules (the database is away). */
  #failing = false;

  constructor(settings: SchedulerSettings) {
    this.#settings = {
      clock: () => new Date(),
      graceMs: DEFAULT_ON_TIME_GRACE_MS,
      maxSleepMs: DEFAULT_MAX_SLEEP_MS,
      ...settings,
    };
  }

  get isRunning(): boolean {
    return !this.#stopped;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /** Stops sleeping and finishes the pass under way (its transaction commits or rolls back). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeUp?.();
    await this.#loop;
    this.#loop = null;
  }

  /** Looks at the schedules now (one was added or changed in this process). */
  wake(): void {
    this.#wakeUp?.();
  }

  /**
   * One pass: queues the due ticks of every schedule due at `now`. Returns the ticks this process
   * queued (a tick another process queued first is not among them). A schedule whose firing fails
   * is logged and left due; the others still fire.
   */
  async runDue(now: Date = this.#settings.clock()): Promise<{ fired: FiredTick[]; failed: number }> {
    const fired: FiredTick[] = [];
    let failed = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = (await this.#settings.store.due(now, DUE_PAGE)).filter((s) => !seen.has(s.name));
      for (const schedule of due) {
        seen.add(schedule.name);
        try {
          fired.push(...(await this.#fire(schedule, now)));
        } catch (error) {
          failed++;
          this.#settings.logger.error(
            { err: error, schedule: schedule.name },
            'a schedule could not be fired; it stays due',
          );
        }
      }
      if (due.length < DUE_PAGE) return { fired, failed };
    }
  }

  async #fire(schedule: Schedule, now: Date): Promise<FiredTick[]> {
    const { nextRunAt } = schedule;
    if (nextRunAt === null) return [];
    const { ticks, nextRunAt: following } = dueTicks({ ...schedule, nextRunAt }, now, this.#settings.graceMs);
    const jobs = ticks.map((tick) => jobForTick(schedule, tick, this.#settings.jobDefaults));
    const queued = await this.#settings.store.fire({
      name: schedule.name,
      expectedNextRunAt: nextRunAt,
      nextRunAt: following,
      lastRunAt: ticks.at(-1) ?? null,
      jobs,
    });
    if (queued === null) return [];
    const ids = new Set(queued);
    const fired = jobs.flatMap((job, i) =>
      ids.has(job.id) ? [{ schedule: schedule.name, tick: ticks[i] as Date, jobId: job.id }] : [],
    );
    this.#settings.logger.debug(
      { schedule: schedule.name, node: this.#settings.node, ticks: fired.map((f) => f.tick.toISOString()) },
      'schedule fired',
    );
    return fired;
  }

  async #run(): Promise<void> {
    const { store, logger, clock, maxSleepMs } = this.#settings;
    while (!this.#stopped) {
      let sleepMs: number;
      try {
        const { failed } = await this.runDue(clock());
        const next = await store.nextDueAt();
        sleepMs = next === null ? maxSleepMs : next.getTime() - clock().getTime() + 1;
        if (failed > 0) sleepMs = Math.max(sleepMs, ERROR_BACKOFF_MS);
        if (this.#failing)
          logger.info({ node: this.#settings.node }, 'the scheduler reads the schedules again');
        this.#failing = false;
      } catch (error) {
        // Once per outage at error level, not once a second for as long as it lasts.
        const level = this.#failing ? 'debug' : 'error';
        logger[level](
          { err: error },
          'the scheduler could not read the schedules; trying again every second',
        );
        this.#failing = true;
        sleepMs = ERROR_BACKOFF_MS;
      }
      await this.#sleep(Math.min(Math.max(sleepMs, 0), maxSleepMs));
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#wakeUp = done;
    });
  }
}
