/** A `schedules` row as SQLite returns it, and its mapping to the model. */
import { priorityFromRank, type JsonObject } from '../../jobs/model.js';
import type { CatchUpPolicy, Schedule } from '../../schedules/model.js';

export interface SqliteScheduleRow {
  name: string;
  cron: string;
  time_zone: string;
  kind: string;
  payload: string;
  priority: number;
  enabled: number;
  catch_up: string;
  catch_up_limit: number;
  next_run_at: number | null;
  last_run_at: number | null;
  created_at: number;
  updated_at: number;
}

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function scheduleFromSqlite(row: SqliteScheduleRow): Schedule {
  return {
    name: row.name,
    cron: row.cron,
    timeZone: row.time_zone,
    kind: row.kind,
    payload: JSON.parse(row.payload) as JsonObject,
    priority: priorityFromRank(row.priority),
    enabled: row.enabled === 1,
    catchUp: row.catch_up as CatchUpPolicy,
    catchUpLimit: row.catch_up_limit,
    nextRunAt: dateOrNull(row.next_run_at),
    lastRunAt: dateOrNull(row.last_run_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
