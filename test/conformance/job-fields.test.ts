/**
 * The SQLite job statements return each job as one JSON array of the fields in `JOB_FIELDS`
 * (sql/jobs-sql.ts `JOB_ARRAY`), and PostgreSQL's as `to_json` of the whole row (`PgJobJson`): a
 * column added to `jobs` must be added to those too, or reads would silently drop it.
 */
import { describe, expect, it } from 'vitest';
import { JOB_FIELDS } from '../../src/db/sqlite/job-row.js';
import { useConformanceDatabase } from '../support/conformance.js';

/** Columns of `jobs` that are not part of a job: its price, read on their own where needed. */
const PRICE = ['cost_points', 'points_charged'];
/** The ids of the events read from the job (PostgreSQL 0017, SQLite 0034), read only by the event log. */
const HELD_EVENT_IDS = ['started_event_id', 'completed_event_id'];
/** A job's place among the jobs it waits for (migration 0030), read on their own by `dependencies()`. */
const DEPENDENCIES = ['on_parent_failure', 'waiting_parents', 'has_children'];

describe('the fields a job is read with', () => {
  const ctx = useConformanceDatabase();

  it('are every column of jobs but its price', async () => {
    const { t } = ctx();
    const columns = await t.sql<{ name: string }>({
      sqlite: `SELECT name FROM pragma_table_info('jobs')`,
      postgres: `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'jobs'`,
    });
    expect(columns.map((column) => column.name).sort()).toEqual(
      [...JOB_FIELDS, ...PRICE, ...DEPENDENCIES, ...HELD_EVENT_IDS].sort(),
    );
  });
});
