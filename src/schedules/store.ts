/**
 * Stored schedules, stated without driver types. `src/db/sqlite` and `src/db/postgres` each
 * implement this interface; the conformance suite proves they behave the same.
 */
import type { ResolvedNewJob } from '../jobs/model.js';
import type { Schedule, ScheduleDefinition } from './model.js';

/** One scheduler pass's claim on a schedule's due ticks. */
export interface ScheduleFiring {
  name: string;
  /** The `nextRunAt` the scheduler read: the firing happens only while it is still stored. */
  expectedNextRunAt: Date;
  /** The schedule's next tick once these are queued. */
  nextRunAt: Date;
  /** The latest tick queued by this firing (null when the policy queues none). */
  lastRunAt: Date | null;
  /** One job per tick queued, each with the tick's idempotency key (`tickKey`). */
  jobs: readonly ResolvedNewJob[];
}

export interface ScheduleStore {
  /** SCHEDULE_EXISTS when the name is taken. */
  create(definition: ScheduleDefinition): Promise<Schedule>;
  get(name: string): Promise<Schedule | null>;
  /** Every schedule, by name. */
  list(): Promise<Schedule[]>;
  /**
   * Replaces a schedule's definition; its `nextRunAt` only with `timingChanged` (otherwise the
   * stored one stays, whatever a scheduler did meanwhile). SCHEDULE_NOT_FOUND when there is none.
   */
  update(definition: ScheduleDefinition, timingChanged: boolean): Promise<Schedule>;
  /** SCHEDULE_NOT_FOUND when there is none. Jobs it queued stay. */
  remove(name: string): Promise<void>;
  /** Enabled schedules whose next tick is at or before `now`, soonest first, `limit` at most. */
  due(now: Date, limit: number): Promise<Schedule[]>;
  /** The soonest next tick of the enabled schedules, or null when there is none. */
  nextDueAt(): Promise<Date | null>;
  /**
   * In one transaction: moves the schedule's next tick from `expectedNextRunAt` to `nextRunAt`
   * and queues `jobs`. Only one caller per `expectedNextRunAt` gets past the guard, whatever the
   * number of processes: the others (and a disabled, changed or removed schedule) get null and
   * nothing is written. Returns the ids of the jobs queued.
   */
  fire(firing: ScheduleFiring): Promise<string[] | null>;
}
