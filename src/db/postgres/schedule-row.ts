/** A `schedules` row as the pg driver returns it, and its mapping to the model. */
import { priorityFromRank, type JsonObject } from '../../jobs/model.js';
import type { CatchUpPolicy, Schedule } from '../../schedules/model.js';

export interface PgScheduleRow {
  name: string;
  cron: string;
  time_zone: string;
  kind: string;
  payload: JsonObject;
  priority: number;
  enabled: boolean;
  catch_up: string;
  catch_up_limit: number;
  next_run_at: Date | null;
  last_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function scheduleFromPg(row: PgScheduleRow): Schedule {
  return {
    name: row.name,
    cron: row.cron,
    timeZone: row.time_zone,
    kind: row.kind,
    payload: row.payload,
    priority: priorityFromRank(row.priority),
    enabled: row.enabled,
    catchUp: row.catch_up as CatchUpPolicy,
    catchUpLimit: row.catch_up_limit,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
