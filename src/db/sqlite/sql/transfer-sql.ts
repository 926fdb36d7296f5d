/**
 * The SQLite statements of job export and import (`exportJobs`, `importJobs`). Values are bind
 * parameters; the only text pasted in is `JOB_ARRAY` and the row-count cast of `boundCount`.
 */
import { IMPORTED_COLUMNS } from '../../transfer-rows.js';
import { boundCount } from './bound-count.js';
import { heldEvents, JOB_ARRAY } from './jobs-sql.js';

/** Parameters of `insertJob`: `@` and the column name (JSON columns as JSON text). */
const JOB_VALUES = IMPORTED_COLUMNS.map((field) => `@${field}`);

export const transferSql = {
  /**
   * @afterId ('' from the start), @statuses (JSON array or NULL), @since (ms or NULL), @limit: a
   * page of the export in id order, each job as its `JOB_ARRAY`, the two points columns and its
   * dependency columns (migration 0030).
   */
  exportPage: `
    SELECT ${JOB_ARRAY} AS job, cost_points, points_charged, on_parent_failure, waiting_parents FROM jobs
    WHERE id > @afterId
      AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
      AND (@since IS NULL OR created_at >= @since)
    ORDER BY id LIMIT ${boundCount('limit')}`,

  /**
   * @ids (JSON array): the events of those jobs but `created`, each job's oldest first: those stored,
   * and the `started` and `completed` events the rows hold (migration 0034, as `jobsSql.selectEvents`
   * reads them).
   */
  exportEvents: `
    ${heldEvents('id IN (SELECT value FROM json_each(@ids))')}
    UNION ALL
    SELECT id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data
    FROM job_events WHERE job_id IN (SELECT value FROM json_each(@ids))
    ORDER BY job_id, id`,

  /** @ids (JSON array): the parents of those jobs, each child's in id order. */
  exportDependencies: `
    SELECT child_id AS childId, parent_id AS parentId FROM job_dependencies
    WHERE child_id IN (SELECT value FROM json_each(@ids))
    ORDER BY child_id, parent_id`,

  /** @ids (JSON array): those of the ids that are jobs of this database. */
  existingIds: `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`,

  /**
   * One job with every column as given but the points, which trigger jobs_points_charge would take
   * from the owner (`setPoints` writes them after). A taken id, or owner and idempotency key,
   * inserts nothing and returns no row.
   */
  insertJob: `
    INSERT INTO jobs (${IMPORTED_COLUMNS.join(', ')})
    VALUES (${JOB_VALUES.join(', ')})
    ON CONFLICT DO NOTHING
    RETURNING id`,

  /** The points columns of an imported job, charged nobody (no trigger watches them). */
  setPoints: `UPDATE jobs SET cost_points = @costPoints, points_charged = @pointsCharged WHERE id = @id`,

  /** One event of an imported job, at its own time; its id is the next of this database. */
  insertEvent: `
    INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (@jobId, @at, @type, @status, @progress, @stage, @message, @attempt, @workerId, @data)`,
};
