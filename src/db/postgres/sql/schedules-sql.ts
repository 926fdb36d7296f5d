/** Recurring jobs' schedules (PostgreSQL); a firing's jobs go in with `jobsSql.insertMany`. */

const COLUMNS = `name, cron, time_zone, kind, payload, priority, enabled, catch_up, catch_up_limit,
  next_run_at, last_run_at, created_at, updated_at`;

export const schedulesSql = {
  /** $1–$10 the definition (name, cron, time zone, kind, payload, priority, enabled, catch-up, limit, next). */
  insert: `
    INSERT INTO schedules (name, cron, time_zone, kind, payload, priority, enabled, catch_up,
      catch_up_limit, next_run_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10::timestamptz)
    ON CONFLICT (name) DO NOTHING
    RETURNING ${COLUMNS}`,

  /** $1 name. */
  select: `SELECT ${COLUMNS} FROM schedules WHERE name = $1`,

  list: `SELECT ${COLUMNS} FROM schedules ORDER BY name COLLATE "C"`,

  /** $1–$10 as `insert`; $11 true: `next_run_at` becomes $10, false: it stays as stored. */
  update: `
    UPDATE schedules SET cron = $2, time_zone = $3, kind = $4, payload = $5::jsonb, priority = $6,
      enabled = $7, catch_up = $8, catch_up_limit = $9,
      next_run_at = CASE WHEN $11::boolean THEN $10::timestamptz ELSE next_run_at END,
      updated_at = now()
    WHERE name = $1
    RETURNING ${COLUMNS}`,

  /** $1 name. */
  delete: `DELETE FROM schedules WHERE name = $1 RETURNING name`,

  /** $1 now, $2 limit. */
  due: `
    SELECT ${COLUMNS} FROM schedules
    WHERE enabled AND next_run_at <= $1::timestamptz
    ORDER BY next_run_at, name COLLATE "C" LIMIT $2`,

  nextDueAt: `SELECT min(next_run_at) AS at FROM schedules WHERE enabled`,

  /**
   * $1 name, $2 the tick the scheduler read, $3 the next tick, $4 the latest tick queued or NULL.
   * The guard of a firing: a concurrent firing waits for this row's lock, then re-checks WHERE on
   * the row's newest version, finds `next_run_at` moved on and updates nothing.
   */
  advance: `
    UPDATE schedules SET next_run_at = $3::timestamptz,
      last_run_at = coalesce($4::timestamptz, last_run_at), updated_at = now()
    WHERE name = $1 AND enabled AND next_run_at = $2::timestamptz
    RETURNING name`,
} as const;
