/**
 * The SQLite statement of a job listing: newest first, (created_at DESC, id DESC), from a cursor.
 * Each common listing reads an index in that order from the cursor on and never sorts (migration
 * 0031): one status (its partial index), one kind (jobs_kind_created_idx), one owner
 * (jobs_user_created_idx), none (jobs_created_idx). The cursor is a row-value range, which SQLite
 * seeks to; the OR it replaces walked every row newer than the cursor. Running jobs are read from
 * jobs_lease_idx and sorted: they are as many as the workers' slots.
 */
import { FINISHED_STATUSES, priorityRank } from '../../../jobs/model.js';
import { decodeCursor } from '../../../jobs/cursor.js';
import { idPrefixRange } from '../../../jobs/id-prefix.js';
import type { ListFilter, Scope } from '../../../jobs/store.js';
import { listingIndexTest } from '../../status-predicates.js';
import { boundCount } from './bound-count.js';
import { JOB_ARRAY } from './jobs-sql.js';

export interface ListingStatement {
  sql: string;
  params: Record<string, unknown>;
}

/** The statement reading one page of `filter` (one row more than the page, to tell if more follow). */
export function listingStatement(filter: ListFilter, scope: Scope, columns = JOB_ARRAY): ListingStatement {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit + 1 };
  let indexedBy = '';
  if (!scope.all) {
    where.push('user_id = @userId');
    params.userId = scope.userId;
  }
  const statuses = [...new Set(filter.statuses ?? [])];
  if (statuses.length === 1) {
    where.push('status = @status');
    params.status = statuses[0];
  } else if (statuses.length > 1) {
    // `+status`: not a lookup of jobs_finished_status_created_idx by status, whose rows of several
    // statuses would need a sort; the partial index of listingIndexTest serves them in order.
    where.push('+status IN (SELECT value FROM json_each(@statuses))');
    params.statuses = JSON.stringify(statuses);
  }
  const indexTest = listingIndexTest(statuses);
  if (indexTest) where.push(indexTest);
  // Without statistics SQLite would rather walk jobs_created_idx, in order, than sort: for running
  // jobs, which are few, the whole table.
  if (statuses.length === 1 && statuses[0] === 'running') indexedBy = 'INDEXED BY jobs_lease_idx';
  if (filter.includeFinished === false) {
    where.push(`status NOT IN (${FINISHED_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  }
  if (filter.priorities && filter.priorities.length > 0) {
    where.push('priority IN (SELECT value FROM json_each(@priorities))');
    params.priorities = JSON.stringify(filter.priorities.map(priorityRank));
  }
  const kinds = [...new Set(filter.kinds ?? [])];
  if (kinds.length === 1) {
    where.push('kind = @kind');
    params.kind = kinds[0];
  } else if (kinds.length > 1) {
    where.push('kind IN (SELECT value FROM json_each(@kinds))');
    params.kinds = JSON.stringify(kinds);
  }
  if (filter.idPrefix !== undefined) {
    const range = idPrefixRange(filter.idPrefix);
    where.push('id BETWEEN @idLow AND @idHigh');
    params.idLow = range.low;
    params.idHigh = range.high;
  }
  if (filter.cursor) {
    const position = decodeCursor(filter.cursor);
    where.push('(created_at, id) < (@cursorAt, @cursorId)');
    params.cursorAt = position.createdAtMs;
    params.cursorId = position.id;
  }
  const sql = `SELECT ${columns} FROM jobs ${indexedBy} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${boundCount('limit')}`;
  return { sql, params };
}
