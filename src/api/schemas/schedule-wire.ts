/** A schedule in the API's snake_case wire names (`ScheduleSchema`); the CLI's --json prints the same. */
import type { Schedule } from '../../schedules/model.js';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function scheduleToWire(schedule: Schedule) {
  return {
    name: schedule.name,
    cron: schedule.cron,
    time_zone: schedule.timeZone,
    kind: schedule.kind,
    payload: schedule.payload,
    priority: schedule.priority,
    enabled: schedule.enabled,
    catch_up: schedule.catchUp,
    catch_up_limit: schedule.catchUpLimit,
    next_run_at: iso(schedule.nextRunAt),
    last_run_at: iso(schedule.lastRunAt),
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
}
