/**
 * Recurring jobs: a schedule names a cron expression, a time zone and the job to queue at each of
 * its ticks. Exactly one job is queued per tick, whatever the number of processes running a
 * scheduler (`ScheduleStore.fire`); a tick missed while no scheduler ran is handled by the
 * schedule's catch-up policy (catch-up.ts).
 */
import type { JobPriority, JsonObject } from '../jobs/model.js';

/**
 * What happens to ticks missed while no scheduler ran (older than the on-time grace when seen):
 * `skip` drops them, `last` runs only the latest one, `all` runs each of them, the latest
 * `catchUpLimit` at most.
 */
export const CATCH_UP_POLICIES = ['skip', 'last', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

export const MAX_CATCH_UP_LIMIT = 1000;
export const DEFAULT_CATCH_UP_LIMIT = 10;

/** A schedule's name: its key in the API, the CLI and the jobs' idempotency keys. */
export const SCHEDULE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';

export interface Schedule {
  name: string;
  /** Five fields (minute first) or six (second first), as cron-parser reads them. */
  cron: string;
  /** IANA time zone the cron expression is read in. */
  timeZone: string;
  kind: string;
  /** The payload of every job, as the kind parsed it when the schedule was stored. */
  payload: JsonObject;
  priority: JobPriority;
  enabled: boolean;
  catchUp: CatchUpPolicy;
  catchUpLimit: number;
  /** The next tick to queue; null while disabled. */
  nextRunAt: Date | null;
  /** The latest tick queued so far, or null. */
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A schedule as it is written: every field validated (new-schedule.ts). */
export type ScheduleDefinition = Omit<Schedule, 'lastRunAt' | 'createdAt' | 'updatedAt'>;

/** What a caller asks for; `resolveNewSchedule` fills the defaults and checks every field. */
export interface NewSchedule {
  name: string;
  cron: string;
  timeZone?: string;
  kind: string;
  payload?: JsonObject;
  priority?: JobPriority;
  enabled?: boolean;
  catchUp?: CatchUpPolicy;
  catchUpLimit?: number;
}

/** A change to a stored schedule: the fields given replace the stored ones. */
export type ScheduleChanges = Partial<Omit<NewSchedule, 'name'>>;

/** The field a job of a schedule carries in its payload: the tick it was queued for (ISO time). */
export const SCHEDULED_FOR_FIELD = 'scheduled_for';
/** The field a job of a schedule carries in its payload: the schedule's name. */
export const SCHEDULE_FIELD = 'schedule';

/** The idempotency key of the job of `name`'s tick `tick`: one job per (schedule, tick). */
export function tickKey(name: string, tick: Date): string {
  return `schedule:${name}@${tick.toISOString()}`;
}
