/**
 * The reads behind statistics, health and the time series that still count jobs (not rollups) read
 * ranges of indexes, never the whole table (issue 23), on both databases:
 * - the time series: every part a range of its own index (created since the window's start,
 *   finished since it, pending, running). PostgreSQL's former `waited` part, an OR of statuses and a
 *   finish time, matched no index: it read every job at any table size.
 * - an owner's (an API key's) health and statistics of a window: a range of jobs_user_created_idx,
 *   the owner's jobs of the window only. The former `$2 IS NULL OR user_id = $2` could not use it
 *   (SQLite never, PostgreSQL not in the generic plan of its named statement): it walked
 *   jobs_created_idx over every owner's jobs of the window.
 * Plans are read as each driver runs the statements: on PostgreSQL with sequential scans priced out
 * (so a part no index can serve shows as one), the named statements prepared with a generic plan.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { jobsSql as postgresSql } from '../../src/db/postgres/sql/jobs-sql.js';
import { timeSeriesSql as postgresTimeSeriesSql } from '../../src/db/postgres/sql/time-series-sql.js';
import { jobsSql as sqliteSql } from '../../src/db/sqlite/sql/jobs-sql.js';
import { timeSeriesSql as sqliteTimeSeriesSql } from '../../src/db/sqlite/sql/time-series-sql.js';
import { leaseOf } from '../../src/jobs/model.js';
import { useConformanceDatabase, type Conformance } from '../support/conformance.js';
import { withPostgresClient, type TestDatabase } from '../support/test-database.js';

/** Many finished jobs, a few pending and running, 1 % owned by `owner`; analysed on PostgreSQL. */
async function seedQueue({ t, store, jobs }: Conformance): Promise<void> {
  await jobs.pendingMany(3_000);
  const claimed = await store.claim({ workerId: 'w', kinds: ['noop'], limit: 2_900, leaseSeconds: 600 });
  for (const job of claimed.slice(20)) await store.complete(leaseOf(job), {});
  await t.sql({
    sqlite: `UPDATE jobs SET user_id = 'owner' WHERE rowid % 100 = 7`,
    postgres: `UPDATE jobs SET user_id = 'owner' WHERE id IN (SELECT id FROM jobs ORDER BY id LIMIT 30)`,
  });
  await t.sql({ sqlite: 'SELECT 1', postgres: 'ANALYZE jobs' });
}

function sqlitePlan(t: TestDatabase, sql: string, params: Record<string, unknown>): string[] {
  const db = new Database(t.config.databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return plan.map((step) => step.detail);
  } finally {
    db.close();
  }
}

/** The steps that read `jobs`. */
function sqliteJobReads(steps: readonly string[]): string[] {
  return steps.filter((step) => /^(SCAN|SEARCH) j(obs)?\b/.test(step));
}

/**
 * A range of an index, or the whole of a partial index of the pending or running jobs (as many as
 * the backlog and the workers' slots): never the table, nor an index of every job.
 */
const BOUNDED_READ =
  /^SEARCH |^SCAN j(obs)? USING (COVERING )?INDEX (jobs_pending_created_idx|jobs_claim_idx|jobs_lease_idx)\b/;

/** The scans of `jobs` in a PostgreSQL plan (JSON): its relation read in whole. */
function postgresTableScans(plan: string): string[] {
  return [...plan.matchAll(/"Node Type":"Seq Scan"[^{}]*?"Relation Name":"jobs"/g)].map((m) => m[0]);
}

describe('the plans of the statistics reads that count jobs', () => {
  const ctx = useConformanceDatabase();

  it('read the time series from index ranges, whole queue and one owner, by minute and by hour', async () => {
    const c = ctx();
    await seedQueue(c);
    const windows = [
      [1, 60],
      [24, 3600],
    ] as const;
    for (const [hours, bucketSeconds] of windows) {
      for (const userId of [null, 'owner']) {
        const label = `${hours} h by ${bucketSeconds} s, owner ${userId}`;
        if (c.t.dialect === 'sqlite') {
          const reads = sqliteJobReads(
            sqlitePlan(c.t, sqliteTimeSeriesSql.series, {
              windowMs: hours * 3_600_000,
              bucketMs: bucketSeconds * 1000,
              userId,
            }),
          );
          expect(reads.length, label).toBeGreaterThan(0);
          for (const step of reads) expect(step, label).toMatch(BOUNDED_READ);
        } else {
          const plan = await withPostgresClient(c.t.env.DATABASE_SCHEMA ?? null, async (client) => {
            await client.query('SET enable_seqscan = off');
            const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${postgresTimeSeriesSql.series}`, [
              hours,
              bucketSeconds,
              userId,
            ]);
            return JSON.stringify(rows[0]);
          });
          expect(plan, label).toContain('"Relation Name":"jobs"');
          expect(postgresTableScans(plan), label).toEqual([]);
        }
      }
    }
  });

  it("read an owner's window counts and statistics from jobs_user_created_idx", async () => {
    const c = ctx();
    await seedQueue(c);
    if (c.t.dialect === 'sqlite') {
      const steps = sqlitePlan(c.t, sqliteSql.countByStatusOfOwnerInWindow, {
        windowMs: 3_600_000,
        userId: 'owner',
      });
      expect(steps.join('; ')).toMatch(
        /SEARCH jobs USING INDEX jobs_user_created_idx \(user_id=\? AND created_at>\?\)/,
      );
      return;
    }
    const statements = {
      countByStatusOfOwnerInWindow: postgresSql.countByStatusOfOwnerInWindow,
      ownerPriorityCounts: postgresSql.ownerPriorityCounts,
      ownerErrorCounts: postgresSql.ownerErrorCounts,
      ownerTimings: postgresSql.ownerTimings,
      ownerRetried: postgresSql.ownerRetried,
    };
    await withPostgresClient(c.t.env.DATABASE_SCHEMA ?? null, async (client) => {
      // As the store runs them after a few calls: named, with the plan made for any parameters.
      await client.query('SET plan_cache_mode = force_generic_plan');
      for (const [name, sql] of Object.entries(statements)) {
        await client.query(`PREPARE ${name} AS ${sql}`);
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(24, 'owner')`);
        const plan = JSON.stringify(rows[0]);
        // The error codes may come from the window's unsuccessful jobs instead (few, as PostgreSQL
        // estimates): a range all the same.
        expect(plan, name).toMatch(
          name === 'ownerErrorCounts'
            ? /"Index Name":"jobs_(user_created|finished_status_created|unsuccessful_created)_idx"/
            : /"Index Name":"jobs_user_created_idx"/,
        );
        expect(plan, name).not.toContain('"Index Name":"jobs_created_idx"');
        expect(postgresTableScans(plan), name).toEqual([]);
      }
    });
  });
});
