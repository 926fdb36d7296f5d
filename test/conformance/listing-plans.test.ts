/**
 * Listings stay flat as the table grows (issue 23, migration 0031): every common listing (one status,
 * one kind, one owner, none; first page and a page from a cursor) reads an index in listing order,
 * (created_at DESC, id DESC), from the cursor on, and never sorts. The plans are those of the very
 * statements the stores run (`listingStatement` of each dialect). Running jobs are the exception:
 * read from jobs_lease_idx and sorted, as they are as many as the workers' slots.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listingStatement as postgresListing } from '../../src/db/postgres/sql/listing-sql.js';
import { listingStatement as sqliteListing } from '../../src/db/sqlite/sql/listing-sql.js';
import { encodeCursor } from '../../src/jobs/cursor.js';
import { ALL_JOBS, type ListFilter, type Scope } from '../../src/jobs/store.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { withPostgresClient, type TestDatabase } from '../support/test-database.js';

/** A cursor into the middle of the table: a page from it seeks, it does not walk the newer rows. */
const CURSOR = encodeCursor({ createdAtMs: Date.now() + 60_000, id: '80000000-0000-4000-8000-000000000000' });

/** Each listing, the index that must serve it in order on SQLite (null: any index in order will do). */
const LISTINGS: { name: string; filter: Omit<ListFilter, 'limit'>; scope?: Scope; index: string | null }[] = [
  { name: 'newest first', filter: {}, index: 'jobs_created_idx' },
  { name: 'pending', filter: { statuses: ['pending'] }, index: 'jobs_pending_created_idx' },
  { name: 'completed', filter: { statuses: ['completed'] }, index: 'jobs_finished_status_created_idx' },
  { name: 'failed', filter: { statuses: ['failed'] }, index: 'jobs_finished_status_created_idx' },
  { name: 'timed out (none)', filter: { statuses: ['timeout'] }, index: 'jobs_finished_status_created_idx' },
  {
    name: 'unsuccessful',
    filter: { statuses: ['failed', 'timeout', 'cancelled'] },
    index: 'jobs_unsuccessful_created_idx',
  },
  { name: 'one rare kind', filter: { kinds: ['webhook'] }, index: 'jobs_kind_created_idx' },
  { name: 'one common kind', filter: { kinds: ['noop'] }, index: null },
  { name: 'one owner', filter: {}, scope: { all: false, userId: 'owner' }, index: 'jobs_user_created_idx' },
];

async function seedListingTable(t: TestDatabase, pendingMany: (count: number) => Promise<unknown>) {
  // One enqueue of many jobs (one created_at, told apart by id), most of them then finished, a few
  // failed, of another kind, owned: the shape of a queue that has run a while.
  await pendingMany(4_000);
  await t.sql({
    sqlite: `UPDATE jobs SET status = CASE WHEN rowid % 100 = 0 THEN 'failed' ELSE 'completed' END,
               completed_at = created_at + 10 WHERE rowid % 10 <> 0`,
    postgres: `UPDATE jobs SET status = CASE WHEN random() < 0.01 THEN 'failed' ELSE 'completed' END,
                 completed_at = created_at + interval '10 ms' WHERE random() < 0.9`,
  });
  await t.sql({
    sqlite: `UPDATE jobs SET kind = 'webhook' WHERE rowid % 500 = 3`,
    postgres: `UPDATE jobs SET kind = 'webhook' WHERE random() < 0.002`,
  });
  await t.sql({
    sqlite: `UPDATE jobs SET user_id = 'owner' WHERE rowid % 400 = 7`,
    postgres: `UPDATE jobs SET user_id = 'owner' WHERE random() < 0.0025`,
  });
  // PostgreSQL's autovacuum analyses a table that grew; SQLite is never analysed in service.
  await t.sql({ sqlite: 'SELECT 1', postgres: 'ANALYZE jobs' });
}

function sqlitePlan(t: TestDatabase, filter: ListFilter, scope: Scope): string {
  const db = new Database(t.config.databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    const { sql, params } = sqliteListing(filter, scope);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return plan.map((step) => step.detail).join('; ');
  } finally {
    db.close();
  }
}

async function postgresPlan(t: TestDatabase, filter: ListFilter, scope: Scope): Promise<string> {
  return withPostgresClient(t.env.DATABASE_SCHEMA ?? null, async (client) => {
    const { sql, params } = postgresListing(filter, scope);
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return JSON.stringify(rows[0]);
  });
}

describe('listing plans', () => {
  const ctx = useConformanceDatabase();

  it('read each common listing from an index in listing order, from the cursor on, with no sort', async () => {
    const { t, jobs } = ctx();
    await seedListingTable(t, (count) => jobs.pendingMany(count));
    for (const listing of LISTINGS) {
      for (const cursor of [null, CURSOR]) {
        const filter: ListFilter = { ...listing.filter, limit: 50, cursor };
        const scope = listing.scope ?? ALL_JOBS;
        const label = `${listing.name}${cursor ? ', from a cursor' : ''}`;
        if (t.dialect === 'sqlite') {
          const plan = sqlitePlan(t, filter, scope);
          expect(plan, label).toMatch(
            listing.index ? new RegExp(`INDEX ${listing.index}\\b`) : /INDEX jobs_/,
          );
          expect(plan, label).not.toContain('TEMP B-TREE');
          if (cursor) expect(plan, label).toContain('(created_at,id)<(?,?)');
        } else {
          const plan = await postgresPlan(t, filter, scope);
          // PostgreSQL plans by its statistics: on a table this small it may fetch a few matching rows
          // by bitmap from another index; the figures at a million jobs are in docs/benchmarks.md.
          expect(plan, label).toContain('"Index Name":"jobs_');
          // A few matching rows PostgreSQL may fetch by bitmap and sort (cheaper, as it estimates);
          // many it must read in order.
          for (const sorted of plan.matchAll(/"Node Type":"Sort",[^{]*"Plan Rows":(\d+)/g)) {
            expect(Number(sorted[1]), label).toBeLessThan(100);
          }
          expect(plan, label).not.toContain('"Node Type":"Seq Scan"');
        }
      }
    }
  });

  it('read running jobs from jobs_lease_idx, never by walking the table', async () => {
    const { t, jobs } = ctx();
    await seedListingTable(t, (count) => jobs.pendingMany(count));
    const filter: ListFilter = { statuses: ['running'], limit: 50, cursor: CURSOR };
    const plan =
      t.dialect === 'sqlite' ? sqlitePlan(t, filter, ALL_JOBS) : await postgresPlan(t, filter, ALL_JOBS);
    expect(plan).toMatch(/jobs_lease_idx/);
    expect(plan).not.toMatch(/jobs_created_idx|SCAN jobs(?! USING)|Seq Scan/);
  });
});
