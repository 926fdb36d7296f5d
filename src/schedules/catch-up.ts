/**
 * Which ticks of a due schedule to queue now, and its next tick: pure, so the policies are tested
 * with a fake clock.
 *
 * A tick is on time when it is at most `graceMs` old when the scheduler sees it (a scheduler that
 * woke a little late, another node taking over from a dead one): on-time ticks are always queued.
 * Older ticks were missed (no scheduler ran): the schedule's policy decides — `skip` drops them,
 * `last` queues the latest of them unless an on-time tick is queued anyway, `all` queues them all,
 * the latest `catchUpLimit` at most.
 */
import { ticksBefore, ticksBetween, tickAfter } from './cron.js';
import type { Schedule } from './model.js';

/** How late a tick may be seen and still count as on time (not missed): the default grace. */
export const DEFAULT_ON_TIME_GRACE_MS = 10_000;

/** Most on-time ticks queued in one pass (a per-second schedule has `graceMs / 1000` of them). */
const MAX_ON_TIME_TICKS = 1000;

export interface DueTicks {
  /** The ticks to queue, oldest first. */
  ticks: Date[];
  /** The schedule's next tick: the first strictly after `now`. */
  nextRunAt: Date;
}

export function dueTicks(
  schedule: Pick<Schedule, 'cron' | 'timeZone' | 'catchUp' | 'catchUpLimit'> & { nextRunAt: Date },
  now: Date,
  graceMs: number,
): DueTicks {
  const { cron, timeZone, nextRunAt } = schedule;
  if (nextRunAt > now) return { ticks: [], nextRunAt };
  const onTimeFrom = new Date(Math.max(nextRunAt.getTime(), now.getTime() - graceMs));
  const onTime = ticksBetween(cron, timeZone, onTimeFrom, now, MAX_ON_TIME_TICKS);
  const missed = missedTicks(schedule, onTimeFrom, onTime.length > 0);
  return { ticks: [...missed, ...onTime], nextRunAt: tickAfter(cron, timeZone, now) };
}

/** The missed ticks (from `nextRunAt` to before `onTimeFrom`) the policy queues, oldest first. */
function missedTicks(
  schedule: Pick<Schedule, 'cron' | 'timeZone' | 'catchUp' | 'catchUpLimit'> & { nextRunAt: Date },
  onTimeFrom: Date,
  anyOnTime: boolean,
): Date[] {
  const { cron, timeZone, nextRunAt, catchUp, catchUpLimit } = schedule;
  if (nextRunAt >= onTimeFrom) return [];
  switch (catchUp) {
    case 'skip':
      return [];
    case 'last':
      return anyOnTime ? [] : ticksBefore(cron, timeZone, onTimeFrom, nextRunAt, 1);
    case 'all':
      return ticksBefore(cron, timeZone, onTimeFrom, nextRunAt, catchUpLimit).reverse();
  }
}
