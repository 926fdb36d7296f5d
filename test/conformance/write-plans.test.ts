/**
 * The writes to a job named by id (heartbeat, progress, completion, failure, cancel, release,
 * retry) find it by primary key, whatever the statistics say. On PostgreSQL, with statistics taken
 * while no job ran, they used to walk every running job's entry in jobs_status_created_idx (a 17 %
 * throughput loss at 500 running jobs). Plans are read as each driver runs the statements: on
 * PostgreSQL prepared with a generic plan, on SQLite prepared with named parameters.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { jobsSql as postgresSql } from '../../src/db/postgres/sql/jobs-sql.js';
import { openSqlite } from '../../src/db/sqlite/connection.js';
import { jobsSql as sqliteSql } from '../../src/db/sqlite/sql/jobs-sql.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, withPostgresClient, type TestDatabase } from '../support/test-database.js';

const WRITES_BY_ID = [
  'heartbeat',
  'progress',
  'complete',
  'failWithRetry',
  'failTerminal',
  'markCancelled',
  'release',
  'requestCancel',
  'cancelPending',
  'retry',
] as const;

/** The primary key's index in each database, and the indexes these writes must not walk. */
const PRIMARY = { postgres: 'jobs_pkey', sqlite: 'sqlite_autoindex_jobs_1' };
const WALKED = [
  'jobs_status_created_idx',
  'jobs_pending_created_idx',
  'jobs_unsuccessful_created_idx',
  'jobs_lease_idx',
  'jobs_claim_idx',
  'jobs_finished_idx',
  'jobs_finished_status_created_idx',
  'jobs_kind_created_idx',
];

/**
 * Runs `work` on a connection to the test's schema that plans every statement generically, as the
 * driver's named statements are planned after their first runs.
 */
function withGenericPlans<T>(t: TestDatabase, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPostgresClient(t.env.DATABASE_SCHEMA ?? null, async (client) => {
    await client.query('SET plan_cache_mode = force_generic_plan');
    return work(client);
  });
}

function postgresIndexes(t: TestDatabase): Promise<Record<string, string[]>> {
  return withGenericPlans(t, async (client) => {
    const statements = {
      ...Object.fromEntries(WRITES_BY_ID.map((name) => [name, postgresSql[name]])),
      completeMany: postgresSql.completeMany,
    };
    const indexes: Record<string, string[]> = {};
    for (const [name, sql] of Object.entries(statements)) {
      await client.query(`PREPARE ${name} AS ${sql}`);
      const { rows } = await client.query<{ types: string[] }>(
        'SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1',
        [name.toLowerCase()],
      );
      const nulls = (rows[0]?.types ?? []).map((type) => `NULL::${type}`).join(', ');
      const plan = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${nulls})`);
      const text = JSON.stringify(plan.rows[0]);
      indexes[name] = [...text.matchAll(/"Index Name":"([a-z_]+)"/g)].map((match) => match[1] ?? '');
    }
    return indexes;
  });
}

/** The steps of SQLite's plan for `sql`, every parameter bound to NULL. */
function sqlitePlan(t: TestDatabase, sql: string): string[] {
  const db = new Database(t.config.databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((match) => [match[1], null]));
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return plan.map((step) => step.detail);
  } finally {
    db.close();
  }
}

function sqliteIndexes(t: TestDatabase): Record<string, string[]> {
  const statements = {
    ...Object.fromEntries(WRITES_BY_ID.map((name) => [name, sqliteSql[name]])),
    completeMany: sqliteSql.completeMany,
  };
  return Object.fromEntries(
    Object.entries(statements).map(([name, sql]) => [
      name,
      sqlitePlan(t, sql).flatMap((detail) =>
        [...detail.matchAll(/USING (?:COVERING )?INDEX (\w+)/g)].map((match) => match[1] ?? ''),
      ),
    ]),
  );
}

describe('plans of the writes to one job', () => {
  const ctx = useConformanceDatabase();

  it('look the job up by primary key even when the statistics say none runs', async () => {
    const { t, store, jobs } = ctx();
    // A table big enough that reading it whole is no option, analysed before any job runs.
    await jobs.pendingMany(20_000);
    await t.sql({ sqlite: 'ANALYZE', postgres: 'ANALYZE jobs' });
    await store.claim({ workerId: 'w', kinds: ['noop'], limit: 500, leaseSeconds: 30 });
    const indexes = t.dialect === 'postgres' ? await postgresIndexes(t) : sqliteIndexes(t);
    expect(Object.keys(indexes)).toHaveLength(WRITES_BY_ID.length + 1);
    for (const [name, used] of Object.entries(indexes)) {
      expect(used, name).toContain(PRIMARY[t.dialect]);
      for (const index of WALKED) expect(used, name).not.toContain(index);
    }
  });
});

describe.runIf(DIALECT === 'sqlite')('status tests SQLite runs for every updated row', () => {
  const ctx = useConformanceDatabase();

  it('are comparisons, never an IN list of constants (a temporary b-tree per row)', async () => {
    const { t } = ctx();
    const perRow = await t.sql<{ name: string; sql: string }>({
      sqlite: `SELECT name, sql FROM sqlite_schema
                 WHERE tbl_name = 'jobs' AND sql IS NOT NULL
                   AND (type IN ('table', 'trigger') OR (type = 'index' AND sql LIKE '% WHERE %'))`,
      postgres: 'SELECT 1',
    });
    expect(perRow.map((row) => row.name)).toEqual(
      expect.arrayContaining(['jobs', 'jobs_points_refund', 'jobs_webhook_enqueue', 'jobs_finished_idx']),
    );
    for (const { name, sql } of perRow) expect(sql, name).not.toMatch(/\bIN\s*\(\s*'/i);
  });

  it('keeps temporary b-trees (RETURNING rows, IN lists) in memory, never in temporary files', async () => {
    const { t } = ctx();
    const db = await openSqlite(t.config.databaseUrl.slice('sqlite:'.length), { busyTimeoutMs: 1000 });
    try {
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it("counts a job's queue position in ranges that end at the job, not over its whole batch", async () => {
    const { t } = ctx();
    const steps = sqlitePlan(t, sqliteSql.selectWithPositionForUser).join('; ');
    expect(steps).toContain('INDEX jobs_claim_idx (priority>?)');
    expect(steps).toContain('INDEX jobs_claim_idx (priority=? AND run_at<?)');
    expect(steps).toContain('INDEX jobs_claim_idx (priority=? AND run_at=? AND id<?)');
    expect(steps).not.toMatch(/SCAN ahead/);
  });

  it('counts jobs by status from indexes, never by reading the table', async () => {
    const { t } = ctx();
    const steps = sqlitePlan(t, sqliteSql.countByStatus);
    expect(steps).toContain('SCAN jobs USING COVERING INDEX jobs_pending_created_idx');
    expect(steps.join('; ')).toMatch(/SCAN jobs USING COVERING INDEX jobs_finished_(status_created_)?idx/);
    expect(steps.join('; ')).toMatch(/SCAN jobs USING (COVERING )?INDEX jobs_lease_idx/);
    expect(steps).not.toContain('SCAN jobs');
  });

  it('cleanup finds old finished jobs through jobs_finished_idx, not by walking every finished job', async () => {
    const { t } = ctx();
    expect(sqlitePlan(t, sqliteSql.cleanup).join('; ')).toMatch(
      /INDEX jobs_finished_idx \(completed_at<\?\)/,
    );
  });
});

describe('indexes on jobs by status', () => {
  const ctx = useConformanceDatabase();

  it('keeps no index of every job keyed on its status: each claim and completion would rewrite it', async () => {
    const { t } = ctx();
    const indexes = await t.sql<{ name: string; sql: string }>({
      sqlite: `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL`,
      postgres: `SELECT indexname AS name, indexdef AS sql FROM pg_indexes
                   WHERE tablename = 'jobs' AND schemaname = current_schema()`,
    });
    const onStatus = indexes.filter(({ sql }) =>
      /\([^)]*\bstatus\b[^)]*\)/.test(sql.split(/\bWHERE\b/i)[0] ?? ''),
    );
    expect(onStatus.map((index) => index.name).sort()).toEqual([
      'jobs_finished_idx',
      'jobs_finished_status_created_idx',
    ]);
    for (const { name, sql } of onStatus) expect(sql, name).toMatch(/\bWHERE\b.*\bstatus\b/i);
    // Every partial index on jobs by status exists in both databases, under one predicate.
    const partial = indexes.filter(({ sql }) => /\bWHERE\b.*\bstatus\b/i.test(sql)).map(({ name }) => name);
    expect(partial.sort()).toEqual([
      'jobs_claim_idx',
      'jobs_finished_idx',
      'jobs_finished_status_created_idx',
      'jobs_lease_idx',
      'jobs_pending_created_idx',
      'jobs_unsuccessful_created_idx',
      // Waiting jobs (migration 0030), and those of them past their attempt's deadline (0036).
      'jobs_waiting_deadline_idx',
      'jobs_waiting_idx',
    ]);
  });
});

describe('the index of owned jobs', () => {
  const ctx = useConformanceDatabase();

  it("serves one owner's listing and counts, and holds no ownerless job", async () => {
    const { t, jobs } = ctx();
    // Many ownerless jobs (the CLI's, an embedding application's) and one owner's few, analysed.
    await jobs.pendingMany(5_000);
    await t.sql({
      sqlite: `UPDATE jobs SET user_id = 'owner' WHERE rowid % 500 = 0`,
      postgres: `UPDATE jobs SET user_id = 'owner' WHERE id IN (SELECT id FROM jobs LIMIT 10)`,
    });
    await t.sql({ sqlite: 'ANALYZE', postgres: 'ANALYZE jobs' });
    const listing = {
      sqlite: 'SELECT * FROM jobs WHERE user_id = @userId ORDER BY created_at DESC, id DESC LIMIT 51',
      postgres: 'SELECT * FROM jobs WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 51',
    };
    const counts = { sqlite: sqliteSql.countByStatusOfOwner, postgres: postgresSql.countByStatusOfOwner };
    if (t.dialect === 'sqlite') {
      for (const sql of [listing.sqlite, counts.sqlite]) {
        expect(sqlitePlan(t, sql).join('; '), sql).toMatch(/INDEX jobs_user_created_idx \(user_id=\?\)/);
      }
    } else {
      await withGenericPlans(t, async (client) => {
        for (const sql of [listing.postgres, counts.postgres]) {
          const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, ['owner']);
          expect(JSON.stringify(rows[0]), sql).toContain('"Index Name":"jobs_user_created_idx"');
        }
      });
    }
    // Its entries are the owned jobs only: the index's own size, not a query through it.
    const [entries] = await t.sql<{ n: number }>({
      sqlite: `SELECT sum(ncell) AS n FROM dbstat WHERE name = 'jobs_user_created_idx' AND pagetype = 'leaf'`,
      postgres: `SELECT (SELECT reltuples FROM pg_class WHERE oid = 'jobs_user_created_idx'::regclass)::int AS n`,
    });
    expect(Number(entries?.n)).toBe(10);
  });
});

describe.runIf(DIALECT === 'postgres')("a job's queue position on PostgreSQL", () => {
  const ctx = useConformanceDatabase();

  /** The plans of the statements `sql` runs inside functions, from auto_explain, as JSON. */
  async function nestedPlans(client: pg.Client, sql: string): Promise<{ text: string; plan: unknown }[]> {
    const notices: string[] = [];
    const onNotice = (notice: { message?: string }) => notices.push(notice.message ?? '');
    client.on('notice', onNotice);
    try {
      await client.query(`LOAD 'auto_explain'`);
      await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
        SET auto_explain.log_nested_statements = on; SET auto_explain.log_format = json;
        SET auto_explain.log_level = notice`);
      await client.query(sql);
      await client.query('SET auto_explain.log_min_duration = -1');
    } finally {
      client.off('notice', onNotice);
    }
    return notices
      .map(
        (message) =>
          JSON.parse(message.slice(message.indexOf('{'))) as { 'Query Text': string; Plan: unknown },
      )
      .map((entry) => ({ text: entry['Query Text'], plan: entry.Plan }));
  }

  it('is counted over the jobs ahead only, in ranges of jobs_claim_idx, never over the whole backlog', async () => {
    const { t, jobs } = ctx();
    // One bulk add, not analysed: every job due in the same millisecond, told apart by id only.
    const backlog = await jobs.pendingMany(3_000);
    const rowsCounted = (plan: unknown): number => {
      const node = plan as { 'Index Name'?: string; 'Actual Rows'?: number; Plans?: unknown[] };
      const own = node['Index Name'] === 'jobs_claim_idx' ? (node['Actual Rows'] ?? 0) : 0;
      return own + (node.Plans ?? []).reduce<number>((sum, child) => sum + rowsCounted(child), 0);
    };
    await withPostgresClient(t.env.DATABASE_SCHEMA ?? null, async (client) => {
      const read = async (index: number) => {
        const ids = `ARRAY['${backlog[index]?.id}']::uuid[]`;
        const sql = postgresSql.selectManyWithPosition.replaceAll('$1::uuid[]', ids);
        const [counting] = (await nestedPlans(client, sql)).filter(({ text }) =>
          text.includes('FROM jobs AS me'),
        );
        const [answer] = (await client.query<{ ahead: string }>(sql)).rows;
        const plan = JSON.stringify(counting?.plan);
        return { plan, counted: rowsCounted(counting?.plan), ahead: Number(answer?.ahead) };
      };
      const first = await read(0);
      expect(first.plan).not.toContain('Seq Scan');
      expect(first.plan.match(/"Index Name":"jobs_claim_idx"/g)).toHaveLength(3);
      expect(first).toMatchObject({ counted: 0, ahead: 0 });
      expect(await read(1_000)).toMatchObject({ counted: 1_000, ahead: 1_000 });
    });
  });
});
