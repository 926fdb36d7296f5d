/**
 * The predicates of the partial indexes on jobs by status, the same text in both dialects (migration
 * 0010 of each; jobs_lease_idx since 0001), and the count by status built from them. A query that
 * wants one of these indexes repeats its predicate word for word: SQLite uses a partial index only
 * then, and PostgreSQL cannot prove a predicate from a parameter. Comparisons, not an IN list: SQLite
 * builds a temporary b-tree for a list of more than two constants. The tables' CHECK allows six
 * statuses (seven since migration 0030: `waiting`), so these name the sets they mean.
 */
import { isFinished, type JobStatus } from '../jobs/model.js';

/**
 * jobs_finished_idx and jobs_finished_status_created_idx: completed, failed, cancelled or timed out
 * (migration 0030 left out waiting).
 */
export const IS_FINISHED = `status <> 'pending' AND status <> 'running' AND status <> 'waiting'`;
/** jobs_pending_created_idx. */
export const IS_PENDING = `status = 'pending'`;
/** jobs_unsuccessful_created_idx: failed, timed out or cancelled. */
export const IS_UNSUCCESSFUL = `${IS_FINISHED} AND status <> 'completed'`;
/** jobs_waiting_idx (migration 0030). */
export const IS_WAITING = `status = 'waiting'`;
/** jobs_lease_idx. */
export const IS_RUNNING = `status = 'running'`;

/**
 * Every job counted by status, the same statement in both dialects: each part walks the partial
 * index that holds it (pending; running; waiting; finished, with the status), never the whole table.
 */
export const COUNT_BY_STATUS = `
  SELECT 'pending' AS status, count(*) AS count FROM jobs WHERE ${IS_PENDING}
  UNION ALL SELECT 'running', count(*) FROM jobs WHERE ${IS_RUNNING}
  UNION ALL SELECT 'waiting', count(*) FROM jobs WHERE ${IS_WAITING}
  UNION ALL SELECT status, count(*) FROM jobs WHERE ${IS_FINISHED} GROUP BY status`;

/**
 * For a listing of jobs in `statuses`: the predicate of the partial index that holds all of them in
 * listing order (migration 0031), to add to the listing's WHERE; null when none does (the listing
 * then walks jobs_created_idx, newest first). One status has its own index: pending jobs
 * jobs_pending_created_idx, finished ones jobs_finished_status_created_idx (status first), running
 * ones jobs_lease_idx (not in listing order: they are sorted, and are as many as the workers' slots),
 * waiting ones jobs_waiting_idx (sorted too).
 * Several unsuccessful statuses share jobs_unsuccessful_created_idx.
 */
export function listingIndexTest(statuses: readonly JobStatus[]): string | null {
  const [only] = statuses;
  if (only === undefined) return null;
  if (statuses.every((status) => status === only)) {
    if (only === 'pending') return IS_PENDING;
    if (only === 'running') return IS_RUNNING;
    // jobs_waiting_idx: not in listing order either (sorted), as waiting jobs are not finished ones.
    if (only === 'waiting') return IS_WAITING;
    return IS_FINISHED;
  }
  if (statuses.every((status) => status !== 'completed' && isFinished(status))) return IS_UNSUCCESSFUL;
  return null;
}
