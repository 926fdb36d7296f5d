/**
 * The PostgreSQL statement of a job listing: newest first, (created_at DESC, id DESC), from a cursor.
 * Each common listing reads an index in that order from the cursor on and never sorts (migration
 * 0031): one status (its partial index), one kind (jobs_kind_created_idx), one owner
 * (jobs_user_created_idx), none (jobs_created_idx). One status or kind is an equality, not `= ANY`
 * of an array: an index scan under `= ANY` does not keep the index's order. Running jobs are read
 * from jobs_lease_idx and sorted: they are as many as the workers' slots.
 */
import { decodeCursor } from '../../../jobs/cursor.js';
import { idPrefixRange } from '../../../jobs/id-prefix.js';
import { FINISHED_STATUSES, priorityRank } from '../../../jobs/model.js';
import type { ListFilter, Scope } from '../../../jobs/store.js';
import { listingIndexTest } from '../../status-predicates.js';

export interface ListingStatement {
  sql: string;
  params: unknown[];
}

/** The statement reading one page of `filter` (one row more than the page, to tell if more follow). */
export function listingStatement(filter: ListFilter, scope: Scope, columns = '*'): ListingStatement {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (!scope.all) where.push(`user_id = ${param(scope.userId)}`);
  const statuses = [...new Set(filter.statuses ?? [])];
  if (statuses.length === 1) where.push(`status = ${param(statuses[0])}`);
  else if (statuses.length > 1) where.push(`status = ANY(${param(statuses)}::text[])`);
  const indexTest = listingIndexTest(statuses);
  if (indexTest) where.push(indexTest);
  if (filter.includeFinished === false) {
    where.push(`status <> ALL(${param(FINISHED_STATUSES)}::text[])`);
  }
  if (filter.priorities && filter.priorities.length > 0) {
    where.push(`priority = ANY(${param(filter.priorities.map(priorityRank))}::smallint[])`);
  }
  const kinds = [...new Set(filter.kinds ?? [])];
  if (kinds.length === 1) where.push(`kind = ${param(kinds[0])}`);
  else if (kinds.length > 1) where.push(`kind = ANY(${param(kinds)}::text[])`);
  if (filter.idPrefix !== undefined) {
    const range = idPrefixRange(filter.idPrefix);
    where.push(`id BETWEEN ${param(range.low)}::uuid AND ${param(range.high)}::uuid`);
  }
  if (filter.cursor) {
    const position = decodeCursor(filter.cursor);
    where.push(`(created_at, id) < (${param(new Date(position.createdAtMs))}, ${param(position.id)}::uuid)`);
  }
  const sql = `SELECT ${columns} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${param(filter.limit + 1)}`;
  return { sql, params };
}
