/** Recurring jobs' schedules (SQLite); a firing's jobs go in with `jobsSql.insertMany`. */
import { NOW } from './jobs-sql.js';
import { boundCount } from './bound-count.js';

const COLUMNS = `name, cron, time_zone, kind, payload, priority, enabled, catch_up, catch_up_limit,
  next_run_at, last_run_at, created_at, updated_at`;

export const schedulesSql = {
  insert: `
    INSERT INTO schedules (name, cron, time_zone, kind, payload, priority, enabled, catch_up,
      catch_up_limit, next_run_at, last_run_at, created_at, updated_at)
    VALUES (@name, @cron, @timeZone, @kind, @payload, @priority, @enabled, @catchUp, @catchUpLimit,
      @nextRunAt, NULL, ${NOW}, ${NOW})
    ON CONFLICT (name) DO NOTHING
    RETURNING ${COLUMNS}`,

  select: `SELECT ${COLUMNS} FROM schedules WHERE name = @name`,

  list: `SELECT ${COLUMNS} FROM schedules ORDER BY name`,

  /** @setNext 1: `next_run_at` becomes @nextRunAt; 0: it stays as stored. */
  update: `
    UPDATE schedules SET cron = @cron, time_zone = @timeZone, kind = @kind, payload = @payload,
      priority = @priority, enabled = @enabled, catch_up = @catchUp, catch_up_limit = @catchUpLimit,
      next_run_at = CASE WHEN @setNext = 1 THEN @nextRunAt ELSE next_run_at END, updated_at = ${NOW}
    WHERE name = @name
    RETURNING ${COLUMNS}`,

  delete: `DELETE FROM schedules WHERE name = @name RETURNING name`,

  due: `
    SELECT ${COLUMNS} FROM schedules
    WHERE enabled = 1 AND next_run_at <= @now
    ORDER BY next_run_at, name LIMIT ${boundCount('limit')}`,

  nextDueAt: `SELECT min(next_run_at) AS at FROM schedules WHERE enabled = 1`,

  /** The guard of a firing: only the transaction that still reads @expected moves the schedule on. */
  advance: `
    UPDATE schedules SET next_run_at = @nextRunAt,
      last_run_at = coalesce(@lastRunAt, last_run_at), updated_at = ${NOW}
    WHERE name = @name AND enabled = 1 AND next_run_at = @expected
    RETURNING name`,
} as const;
