/**
 * What each PostgreSQL queue design costs per job (issue 27), measured the same way for all: a
 * throwaway PostgreSQL server of its own (default settings: fsync and synchronous_commit on), so
 * that its CPU time and WAL are this tool's alone even on a shared machine; N no-op jobs added in
 * bulk; then C loops, each on its own connection, claiming B jobs and completing them in one batch
 * until none is left. Reported per job: server CPU (every process of that server), WAL bytes,
 * client CPU of this process, and jobs/s. Rounds interleave the designs, so drift falls on all alike.
 *
 *   npx tsx bench/tools/pg-design-cost.ts [--jobs 20000] [--loops 10] [--batch 50] [--rounds 3]
 *     [--only 'as built;as built, no listing indexes in the way']
 *
 * Designs:
 * - `as built`: today's store (`JobStore.claim` and `completeMany`): one `jobs` table that keeps
 *   every job, events, statistics rollups by statement trigger.
 * - `as built, no rollup triggers`: the same with the rollup triggers dropped: what they cost.
 * - `as built, no listing indexes in the way`: the same without the two listing indexes that every
 *   claim and completion writes an entry into (jobs_created_idx and jobs_kind_created_idx; on the
 *   partitioned `jobs` of migration 0033, the queue's: jobs_queue_created_idx and
 *   jobs_queue_kind_created_idx): what they cost, and what a listing that reads each status from
 *   its own partial index instead would save.
 * - `hot queue + history`: pending and running jobs in a narrow `job_queue` (fillfactor 70, one
 *   partial claim index); a completion deletes the row and appends its final state to `job_history`
 *   in the same statement, so a job is written once when claimed and once when finished, and the
 *   history table only ever takes appends.
 * - `hot queue + history + rollup deltas`: the same, and each claim and completion appends its
 *   statistics deltas (−1 as the jobs were, +1 as they are, per group of like jobs) in the same
 *   statement, instead of by trigger: what the statistics of issue 23 would cost in this design.
 * - `queue only (no history)`: the same queue, a completion only deletes: graphile-worker's shape,
 *   the floor of any design that keeps history.
 */
import { readFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { leaseOf } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { ThrowawayPostgres } from '../../test/support/throwaway-postgres.js';
import { msSince, nowNs } from '../lib/clock.js';
import { cpuSeconds } from '../lib/process-cpu.js';
import { uniqueName } from '../lib/services.js';
import { summaryText } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    loops: { type: 'string', default: '10' },
    batch: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    /** Design names to run, separated by semicolons (default: all). */
    only: { type: 'string', default: '' },
  },
});
const jobs = Number(values.jobs);
const loops = Number(values.loops);
const batch = Number(values.batch);
const rounds = Number(values.rounds);

interface Cost {
  jobsPerSecond: number;
  walBytesPerJob: number;
  serverCpuUsPerJob: number;
  clientCpuUsPerJob: number;
}

/** One design: sets up a fresh schema with `jobs` pending jobs, then drains it through `loop`s. */
interface Design {
  prepare(url: string, schema: string): Promise<Drainer>;
}

interface Drainer {
  /** Claims up to `batch` jobs and completes them; the number it completed (0: queue empty). */
  claimAndComplete(loop: number): Promise<number>;
  close(): Promise<void>;
}

const server = await ThrowawayPostgres.start({ max_connections: '50' });
const postmasterPid = String(server.postmasterPid);

/** The parent pid of a process, from /proc (null once it is gone). */
function parentPid(pid: string): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? null;
  } catch {
    return null;
  }
}
const serverCpu = () => cpuSeconds((pid) => pid === postmasterPid || parentPid(pid) === postmasterPid);

const asBuilt = (dropRollupTriggers: boolean, dropListingIndexes = false): Design => ({
  async prepare(url, schema) {
    const app = await createReelqueue(
      loadConfig({}, { DATABASE_URL: url, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' }),
      { logger: silentLogger() },
    );
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    if (dropRollupTriggers) {
      for (const trigger of ['jobs_rollup_inserted', 'jobs_rollup_deleted', 'jobs_rollup_updated']) {
        await client.query(`DROP TRIGGER ${trigger} ON jobs`);
      }
    }
    if (dropListingIndexes) {
      const { rows } = await client.query<{ partitioned: boolean }>(
        `SELECT to_regclass('job_queue') IS NOT NULL AS partitioned`,
      );
      const indexes = rows[0]?.partitioned
        ? ['jobs_queue_created_idx', 'jobs_queue_kind_created_idx']
        : ['jobs_created_idx', 'jobs_kind_created_idx'];
      for (const index of indexes) await client.query(`DROP INDEX ${index}`);
    }
    await client.end();
    for (let added = 0; added < jobs; added += 5000) {
      await app.enqueueMany(Array.from({ length: Math.min(5000, jobs - added) }, () => ({ kind: 'noop' })));
    }
    return {
      async claimAndComplete(loop) {
        const claimed = await app.jobs.claim({
          workerId: `loop-${loop}`,
          kinds: ['noop'],
          limit: batch,
          leaseSeconds: 60,
        });
        if (claimed.length === 0) return 0;
        await app.jobs.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
        return claimed.length;
      },
      close: () => app.close(),
    };
  },
});

/** The queue table of the candidate designs: only what a claim, a fence and a read of a live job need. */
const QUEUE_TABLE = `
  CREATE TABLE job_queue (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    priority smallint NOT NULL DEFAULT 2,
    payload jsonb NOT NULL DEFAULT '{}',
    user_id text,
    attempt integer NOT NULL DEFAULT 0,
    max_retries integer NOT NULL DEFAULT 3,
    worker_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    run_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    lease_expires_at timestamptz
  ) WITH (fillfactor = 70);
  CREATE INDEX job_queue_claim ON job_queue (priority, run_at, id) WHERE status = 'pending';`;

const HISTORY_TABLE = `
  CREATE TABLE job_history (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    status text NOT NULL,
    priority smallint NOT NULL,
    payload jsonb NOT NULL,
    result jsonb,
    user_id text,
    attempt integer NOT NULL,
    worker_id text,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    completed_at timestamptz NOT NULL
  );`;

const CLAIM = `
  UPDATE job_queue q SET status = 'running', worker_id = $1, attempt = q.attempt + 1,
    started_at = now(), lease_expires_at = now() + interval '60 seconds'
  FROM (SELECT id FROM job_queue WHERE status = 'pending' AND kind = ANY ($3::text[]) AND run_at <= now()
        ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) c
  WHERE q.id = c.id
  RETURNING q.id, q.attempt, q.kind, q.payload`;

/** Fenced: only the rows this worker holds in this attempt. */
const FENCED_ROWS = `q.id = f.id AND q.attempt = f.attempt AND q.worker_id = $3 AND q.status = 'running'`;

const COMPLETE_INTO_HISTORY = `
  WITH done AS (
    DELETE FROM job_queue q USING unnest($1::uuid[], $2::int[]) AS f(id, attempt)
    WHERE ${FENCED_ROWS}
    RETURNING q.*)
  INSERT INTO job_history (id, kind, status, priority, payload, result, user_id, attempt, worker_id,
    created_at, started_at, completed_at)
  SELECT id, kind, 'completed', priority, payload, '{}'::jsonb, user_id, attempt, worker_id,
    created_at, started_at, now() FROM done`;

const DELTAS_TABLE = `
  CREATE TABLE job_rollup_deltas (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket_ms bigint NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    priority smallint NOT NULL,
    change integer NOT NULL
  );`;

const MINUTE = (column: string) => `(floor(extract(epoch FROM ${column}) / 60) * 60000)::bigint`;

/** The claim, and the deltas of the claimed jobs (pending −1, running +1) in the same statement. */
const CLAIM_WITH_DELTAS = `
  WITH claimed AS (${CLAIM}, q.priority, q.created_at),
  d AS (
    INSERT INTO job_rollup_deltas (bucket_ms, kind, status, priority, change)
    SELECT ${MINUTE('created_at')}, kind, s.status, priority, s.change * count(*)
    FROM claimed, (VALUES ('pending', -1), ('running', 1)) AS s(status, change)
    GROUP BY 1, 2, 3, 4, s.change)
  SELECT id, attempt FROM claimed`;

const COMPLETE_INTO_HISTORY_WITH_DELTAS = `
  WITH done AS (
    DELETE FROM job_queue q USING unnest($1::uuid[], $2::int[]) AS f(id, attempt)
    WHERE ${FENCED_ROWS}
    RETURNING q.*),
  h AS (
    INSERT INTO job_history (id, kind, status, priority, payload, result, user_id, attempt, worker_id,
      created_at, started_at, completed_at)
    SELECT id, kind, 'completed', priority, payload, '{}'::jsonb, user_id, attempt, worker_id,
      created_at, started_at, now() FROM done)
  INSERT INTO job_rollup_deltas (bucket_ms, kind, status, priority, change)
  SELECT ${MINUTE('created_at')}, kind, s.status, priority, s.change * count(*)
  FROM done, (VALUES ('running', -1), ('completed', 1)) AS s(status, change)
  GROUP BY 1, 2, 3, 4, s.change`;

const COMPLETE_BY_DELETE = `
  DELETE FROM job_queue q USING unnest($1::uuid[], $2::int[]) AS f(id, attempt) WHERE ${FENCED_ROWS}`;

/** What a candidate does with a finished job, and the statements it claims and completes with. */
const QUEUE_MODES = {
  history: { tables: QUEUE_TABLE + HISTORY_TABLE, claim: CLAIM, complete: COMPLETE_INTO_HISTORY },
  'history+deltas': {
    tables: QUEUE_TABLE + HISTORY_TABLE + DELTAS_TABLE,
    claim: CLAIM_WITH_DELTAS,
    complete: COMPLETE_INTO_HISTORY_WITH_DELTAS,
  },
  delete: { tables: QUEUE_TABLE, claim: CLAIM, complete: COMPLETE_BY_DELETE },
} as const;

const queueDesign = (mode: keyof typeof QUEUE_MODES): Design => ({
  async prepare(url, schema) {
    const { tables, claim, complete } = QUEUE_MODES[mode];
    const pool = new pg.Pool({ connectionString: url, max: loops, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(tables);
    await pool.query(`INSERT INTO job_queue (kind) SELECT 'noop' FROM generate_series(1, $1)`, [jobs]);
    await pool.query('VACUUM ANALYZE job_queue');
    return {
      async claimAndComplete(loop) {
        const worker = `loop-${loop}`;
        const { rows } = await pool.query<{ id: string; attempt: number }>({
          name: `claim-${mode}`,
          text: claim,
          values: [worker, batch, ['noop']],
        });
        if (rows.length === 0) return 0;
        await pool.query({
          name: `complete-${mode}`,
          text: complete,
          values: [rows.map((r) => r.id), rows.map((r) => r.attempt), worker],
        });
        return rows.length;
      },
      close: () => pool.end(),
    };
  },
});

const designs = new Map<string, Design>([
  ['as built', asBuilt(false)],
  ['as built, no rollup triggers', asBuilt(true)],
  ['as built, no listing indexes in the way', asBuilt(false, true)],
  ['hot queue + history', queueDesign('history')],
  ['hot queue + history + rollup deltas', queueDesign('history+deltas')],
  ['queue only (no history)', queueDesign('delete')],
]);

const only = values.only.split(';').filter((name) => name !== '');
for (const name of designs.keys()) if (only.length > 0 && !only.includes(name)) designs.delete(name);

async function measure(design: Design): Promise<Cost> {
  const schema = uniqueName('design');
  const drainer = await design.prepare(server.url, schema);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
    const lsnBefore = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]?.l;
    const [serverBefore, clientBefore, startedAt] = [serverCpu(), cpuUsage(), nowNs()];
    let done = 0;
    await Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (;;) {
          const completed = await drainer.claimAndComplete(loop);
          if (completed === 0) return;
          done += completed;
        }
      }),
    );
    const elapsedMs = msSince(startedAt, nowNs());
    const [serverAfter, client] = [serverCpu(), cpuUsage(clientBefore)];
    const wal = await admin.query<{ bytes: string }>(
      'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes',
      [lsnBefore],
    );
    if (done !== jobs) throw new Error(`drained ${done} of ${jobs} jobs`);
    return {
      jobsPerSecond: jobs / (elapsedMs / 1000),
      walBytesPerJob: Number(wal.rows[0]?.bytes) / jobs,
      serverCpuUsPerJob: ((serverAfter - serverBefore) * 1e6) / jobs,
      clientCpuUsPerJob: (client.user + client.system) / jobs,
    };
  } finally {
    await drainer.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

try {
  const costs = new Map<string, Cost[]>([...designs.keys()].map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, design] of designs) {
      const cost = await measure(design);
      costs.get(name)?.push(cost);
      process.stderr.write(
        `[pg-design-cost] round ${round}/${rounds} ${name}: ${cost.jobsPerSecond.toFixed(0)} jobs/s, ` +
          `${cost.walBytesPerJob.toFixed(0)} B WAL, server ${cost.serverCpuUsPerJob.toFixed(1)} µs, ` +
          `client ${cost.clientCpuUsPerJob.toFixed(1)} µs a job\n`,
      );
    }
  }
  const FIGURES: [keyof Cost, string, number][] = [
    ['jobsPerSecond', 'jobs/s', 0],
    ['walBytesPerJob', 'WAL bytes a job', 0],
    ['serverCpuUsPerJob', 'server CPU µs a job', 1],
    ['clientCpuUsPerJob', 'client CPU µs a job', 1],
  ];
  console.log(`${jobs} no-op jobs, ${loops} loops claiming ${batch} at a time, ${rounds} round(s)`);
  console.log(`\n| design | ${FIGURES.map(([, heading]) => heading).join(' | ')} |`);
  console.log(`|---|${FIGURES.map(() => '---:').join('|')}|`);
  for (const [name, samples] of costs) {
    const cells = FIGURES.map(([figure, , digits]) =>
      summaryText(
        samples.map((c) => c[figure]),
        digits,
      ),
    );
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
} finally {
  server.destroy();
}
process.exit(0);
