/**
 * The PostgreSQL statements of job export and import (`exportJobs`, `importJobs`). Values are bind
 * parameters; a batch of jobs or events is one JSON array parameter, read by column name.
 */
import { IMPORTED_COLUMNS } from '../../transfer-rows.js';
import { HELD_STARTED_PROGRESS } from './jobs-sql.js';

/** The columns an import writes as given: every column but the points and the held event ids. */
const COLUMNS = IMPORTED_COLUMNS.join(', ');

export const transferSql = {
  /**
   * $1 after this id (NULL: from the start), $2 statuses (text[] or NULL), $3 created since (or
   * NULL), $4 limit: a page of the export in id order, every column.
   */
  exportPage: `
    SELECT * FROM jobs
    WHERE ($1::uuid IS NULL OR id > $1::uuid)
      AND ($2::text[] IS NULL OR status = ANY($2::text[]))
      AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz)
    ORDER BY id LIMIT $4`,

  /**
   * $1 job ids (uuid[]): their events but `created`, each job's oldest first: those stored, and the
   * `started` and `completed` events the rows hold (migration 0017, as `jobsSql.selectEvents` reads them).
   */
  exportEvents: `
    SELECT held.* FROM jobs, LATERAL (VALUES
      (jobs.started_event_id, jobs.id, jobs.started_at, 'started', 'running', ${HELD_STARTED_PROGRESS},
        NULL::text, 'Started', jobs.attempt, jobs.worker_id, NULL::jsonb),
      (jobs.completed_event_id, jobs.id, jobs.completed_at, 'completed', 'completed', 100::smallint,
        jobs.stage, 'Completed', jobs.attempt, jobs.worker_id, NULL::jsonb)
    ) AS held(id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    WHERE jobs.id = ANY($1::uuid[]) AND held.id IS NOT NULL
    UNION ALL
    SELECT id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data
    FROM job_events WHERE job_id = ANY($1::uuid[])
    ORDER BY job_id, id`,

  /** $1 job ids (uuid[]): the parents of those jobs, each child's in id order. */
  exportDependencies: `
    SELECT child_id AS "childId", parent_id AS "parentId" FROM job_dependencies
    WHERE child_id = ANY($1::uuid[])
    ORDER BY child_id, parent_id`,

  /** $1 ids (uuid[]): those of the ids that are jobs of this database. */
  existingIds: `SELECT id FROM jobs WHERE id = ANY($1::uuid[])`,

  /** $1 [{child_id, parent_id}]: the dependency rows of imported children. */
  insertDependencies: `
    INSERT INTO job_dependencies (child_id, parent_id)
    SELECT child_id, parent_id FROM jsonb_to_recordset($1::jsonb) AS d(child_id uuid, parent_id uuid)`,

  /**
   * $1 jobs (a JSON array of rows by column name): inserted as given but the points, which trigger
   * jobs_points_price would charge (`setPoints` writes them after). A taken id, or owner and
   * idempotency key, inserts nothing for that job; the ids inserted come back.
   */
  insertJobs: `
    INSERT INTO jobs (${COLUMNS})
    SELECT ${COLUMNS} FROM jsonb_populate_recordset(NULL::jobs, $1::jsonb)
    ON CONFLICT DO NOTHING
    RETURNING id`,

  /** $1 [{id, cost_points, points_charged}]: the points columns, charging nobody (no trigger watches them). */
  setPoints: `
    UPDATE jobs SET cost_points = p.cost_points, points_charged = p.points_charged
    FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, cost_points integer, points_charged integer)
    WHERE jobs.id = p.id`,

  /**
   * $1 events (a JSON array with `seq`, their order): stored at their own times, under new ids of
   * this database's sequence taken in that order, so each job's log reads in its order.
   */
  insertEvents: `
    INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT job_id, at, type, status, progress, stage, message, attempt, worker_id, data
    FROM jsonb_to_recordset($1::jsonb) AS e(seq integer, job_id uuid, at timestamptz, type text,
      status text, progress smallint, stage text, message text, attempt integer, worker_id text, data jsonb)
    ORDER BY seq`,
};
