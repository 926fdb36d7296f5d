/**
 * PostgreSQL only: the writes to a job named by id find it by primary key, whatever the statistics say.
 * With statistics taken while no job ran, the planner used to walk every running job's entry in
 * jobs_status_created_idx for each fenced write (a 17 % throughput loss at 500 running jobs).
 * Plans are read as the driver runs them: prepared, generic.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/db/postgres/sql/jobs-sql.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, POSTGRES_URL } from '../support/test-database.js';

const FENCED_WRITES = {
  heartbeat: jobsSql.heartbeat,
  progress: jobsSql.progress,
  complete: jobsSql.complete,
  completeMany: jobsSql.completeMany,
  failWithRetry: jobsSql.failWithRetry,
  failTerminal: jobsSql.failTerminal,
  markCancelled: jobsSql.markCancelled,
  release: jobsSql.release,
  requestCancel: jobsSql.requestCancel,
  cancelPending: jobsSql.cancelPending,
  retry: jobsSql.retry,
};

describe.skipIf(DIALECT !== 'postgres')('PostgreSQL plans of the writes to one job', () => {
  const ctx = useConformanceDatabase();

  it('look the job up by primary key even when the statistics say none runs', async () => {
    const { t, store, jobs } = ctx();
    // A table big enough that reading it whole is no option, analysed before any job runs.
    await jobs.pendingMany(20_000);
    await t.sql({ sqlite: '', postgres: 'ANALYZE jobs' });
    await store.claim({ workerId: 'w', kinds: ['noop'], limit: 500, leaseSeconds: 30 });
    const client = new pg.Client({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${t.env.DATABASE_SCHEMA}`,
    });
    await client.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      const scans: Record<string, string[]> = {};
      for (const [name, sql] of Object.entries(FENCED_WRITES)) {
        await client.query(`PREPARE ${name} AS ${sql}`);
        const { rows } = await client.query<{ type: string }>(
          `SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1`,
          [name.toLowerCase()],
        );
        const types = (rows[0] as unknown as { types: string[] }).types;
        const nulls = types.map((type) => `NULL::${type}`).join(', ');
        const plan = await client.query<{ 'QUERY PLAN': unknown }>(
          `EXPLAIN (FORMAT JSON) EXECUTE ${name}(${nulls})`,
        );
        const text = JSON.stringify(plan.rows[0]?.['QUERY PLAN']);
        scans[name] = [...text.matchAll(/"Index Name":"([a-z_]+)"/g)].map((match) => match[1] ?? '');
      }
      for (const [name, indexes] of Object.entries(scans)) {
        expect(indexes, name).toContain('jobs_pkey');
        expect(indexes, name).not.toContain('jobs_status_created_idx');
        expect(indexes, name).not.toContain('jobs_lease_idx');
      }
    } finally {
      await client.end();
    }
  });
});
