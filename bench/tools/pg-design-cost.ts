/**
 * What each PostgreSQL queue design costs per job (issue 27), measured the same way for all: a
 * throwaway PostgreSQL server of its own (default settings: fsync and synchronous_commit on), so
 * that its CPU time and WAL are this tool's alone even on a shared machine; N no-op jobs added in
 * bulk; then C loops, each on its own connection, claiming B jobs and completing them in one batch
 * until none is left. Reported per job: server CPU (every process of that server, those that ended
 * during the drain included), WAL bytes, client CPU of this process, and jobs/s; and what the
 * enqueue cost the server (WAL bytes, CPU), measured apart. Rounds interleave the designs, so drift
 * falls on all alike.
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
 * - `queue only (no history)`: the same queue, a completion only deletes: graphile-worker's shape.
 * - `leases on batches, job row claimed in place, results appended`: a claim inserts one lease row
 *   (worker, expiry, the ids and attempts it holds) and sets that lease's id on the job rows it
 *   takes, which leave the claim index; a completion deletes the lease (the fence: a lease the
 *   reaper took is gone, and nothing is written) and appends each job's outcome to `job_results`.
 *   A heartbeat would extend the lease row only. The job table keeps every job, unchanged after
 *   the claim.
 * - `leases on batches, pending jobs apart, job row written once, results appended`: the job row is
 *   written by the enqueue only; the enqueue also lists the job in a narrow `job_pending` (the claim
 *   order), which the claim deletes from; leases and results as above. `+ rollup deltas`: the claim
 *   and completion statements append the statistics deltas as well.
 * - `graphile-worker batched (local queue 500)`: graphile-worker itself, run in this process as the
 *   bench's `graphile-batched` runs it, `--loops` concurrent jobs: the figure to beat.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { parseArgs } from 'node:util';
import { makeWorkerUtils, run, type WorkerEvents } from 'graphile-worker';
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
import { silentGraphileLogger } from '../systems/graphile-worker.js';

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
  /** Server + client: what two cores have to spend on each job. */
  cpuUsPerJob: number;
  enqueueWalBytesPerJob: number;
  enqueueServerCpuUsPerJob: number;
}

/** One design: sets up a fresh schema, adds `jobs` pending jobs, then drains them. */
interface Design {
  prepare(url: string, schema: string): Promise<Drainer>;
}

interface Drainer {
  /** Adds the `jobs` no-op jobs (measured apart from the drain). */
  enqueue(): Promise<void>;
  /** What runs between the enqueue and the drain, not measured (a VACUUM ANALYZE). */
  settle?(): Promise<void>;
  /** Completes every job; the number completed. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A drain by `loops` loops, each claiming up to `batch` jobs and completing them at once, until
 * `claimAndComplete` (the number it completed) finds the queue empty.
 */
function inLoops(claimAndComplete: (loop: number) => Promise<number>): () => Promise<number> {
  return async () => {
    let done = 0;
    await Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (;;) {
          const completed = await claimAndComplete(loop);
          if (completed === 0) return;
          done += completed;
        }
      }),
    );
    return done;
  };
}

const server = await ThrowawayPostgres.start({ max_connections: String(Math.max(50, loops + 20)) });
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
/** CPU seconds of the server's processes that ended and that the postmaster reaped (cutime, cstime). */
function reapedCpu(): number {
  const stat = readFileSync(`/proc/${postmasterPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * CPU seconds of the server: its processes alive now, and those that ended (a pool's backends, the
 * autovacuum workers), which the postmaster has reaped into its children's times. A backend reaped
 * while the alive ones are read would be counted in neither (it happens when a pool has just been
 * closed), so the read is taken again until the reaped time did not change during it.
 */
function serverCpu(): number {
  for (;;) {
    const reaped = reapedCpu();
    const alive = cpuSeconds((pid) => pid === postmasterPid || parentPid(pid) === postmasterPid);
    if (reapedCpu() === reaped) return reaped + alive;
  }
}

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
    return {
      async enqueue() {
        for (let added = 0; added < jobs; added += 5000) {
          await app.enqueueMany(
            Array.from({ length: Math.min(5000, jobs - added) }, () => ({ kind: 'noop' })),
          );
        }
      },
      drain: inLoops(async (loop) => {
        const claimed = await app.jobs.claim({
          workerId: `loop-${loop}`,
          kinds: ['noop'],
          limit: batch,
          leaseSeconds: 60,
        });
        if (claimed.length === 0) return 0;
        await app.jobs.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
        return claimed.length;
      }),
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
    return {
      async enqueue() {
        await pool.query(`INSERT INTO job_queue (kind) SELECT 'noop' FROM generate_series(1, $1)`, [jobs]);
      },
      async settle() {
        await pool.query('VACUUM ANALYZE job_queue');
      },
      drain: inLoops(async (loop) => {
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
      }),
      close: () => pool.end(),
    };
  },
});

/**
 * A worker's lease on a batch of jobs: one row per claim, which the heartbeat extends (one row per
 * batch, not per job), a completion takes away, and a reaper deletes once expired to put the jobs of
 * `job_ids` back. Completing under the lease is the fence: a completion whose lease is gone (taken
 * by the reaper) writes nothing.
 */
const LEASE_TABLE = `
  CREATE TABLE job_leases (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id text NOT NULL,
    expires_at timestamptz NOT NULL,
    job_ids uuid[] NOT NULL,
    attempts integer[] NOT NULL
  );`;

/** Every outcome, appended: the history of finished jobs (the job rows stay as they were). */
const RESULT_TABLE = `
  CREATE TABLE job_results (
    id uuid PRIMARY KEY,
    attempt integer NOT NULL,
    status text NOT NULL,
    result jsonb,
    completed_at timestamptz NOT NULL
  );`;

/**
 * Leases on batches, the job row claimed in place: the claim writes each job row once (its batch,
 * attempt and start), which takes it out of the claim index; the job table keeps every job.
 */
const BATCH_QUEUE_TABLE = `
  CREATE TABLE job_queue (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    priority smallint NOT NULL DEFAULT 2,
    payload jsonb NOT NULL DEFAULT '{}',
    user_id text,
    attempt integer NOT NULL DEFAULT 0,
    max_retries integer NOT NULL DEFAULT 3,
    batch_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    run_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz
  ) WITH (fillfactor = 70);
  CREATE INDEX job_queue_claim ON job_queue (priority, run_at, id) WHERE batch_id IS NULL;`;

const CLAIM_BATCH_IN_PLACE = `
  WITH c AS (
    SELECT id, attempt + 1 AS attempt FROM job_queue
    WHERE batch_id IS NULL AND kind = ANY ($3::text[]) AND run_at <= now()
    ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
  lease AS (
    INSERT INTO job_leases (worker_id, expires_at, job_ids, attempts)
    SELECT $1, now() + interval '60 seconds', array_agg(id), array_agg(attempt) FROM c HAVING count(*) > 0
    RETURNING id)
  UPDATE job_queue q SET batch_id = lease.id, attempt = c.attempt, started_at = now()
  FROM c, lease WHERE q.id = c.id
  RETURNING q.id, q.attempt, q.kind, q.payload, lease.id AS lease_id`;

/**
 * Leases on batches, the pending jobs listed apart: the job row is written once, by the enqueue,
 * and never again; a narrow `job_pending` (the claim's order and nothing else) is what a claim
 * takes its jobs from, deleting them (a delete enters no index).
 */
const PENDING_TABLES = `
  CREATE TABLE jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    priority smallint NOT NULL DEFAULT 2,
    payload jsonb NOT NULL DEFAULT '{}',
    user_id text,
    max_retries integer NOT NULL DEFAULT 3,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE job_pending (
    id uuid NOT NULL,
    kind text NOT NULL,
    priority smallint NOT NULL,
    run_at timestamptz NOT NULL,
    attempt integer NOT NULL DEFAULT 0
  );
  CREATE INDEX job_pending_claim ON job_pending (priority, run_at, id);`;

const ENQUEUE_PENDING = `
  WITH j AS (INSERT INTO jobs (kind) SELECT 'noop' FROM generate_series(1, $1) RETURNING id, kind, priority, created_at)
  INSERT INTO job_pending (id, kind, priority, run_at) SELECT id, kind, priority, created_at FROM j`;

const CLAIM_BATCH_FROM_PENDING = `
  WITH c AS (
    DELETE FROM job_pending WHERE ctid = ANY (ARRAY(
      SELECT ctid FROM job_pending WHERE kind = ANY ($3::text[]) AND run_at <= now()
      ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED))
    RETURNING id, attempt + 1 AS attempt),
  lease AS (
    INSERT INTO job_leases (worker_id, expires_at, job_ids, attempts)
    SELECT $1, now() + interval '60 seconds', array_agg(id), array_agg(attempt) FROM c HAVING count(*) > 0
    RETURNING id)
  SELECT c.id, c.attempt, j.kind, j.payload, lease.id AS lease_id FROM c JOIN jobs j USING (id), lease`;

/**
 * The completion of a batch: takes the lease away (the fence: nothing is written if the reaper took
 * it first) and appends the outcome of each of its jobs, only for the jobs and attempts it holds.
 */
const COMPLETE_UNDER_LEASE = `
  WITH lease AS (DELETE FROM job_leases WHERE id = $4 AND worker_id = $3 RETURNING job_ids, attempts)
  INSERT INTO job_results (id, attempt, status, result, completed_at)
  SELECT f.id, f.attempt, 'completed', '{}'::jsonb, now()
  FROM lease, unnest(lease.job_ids, lease.attempts) AS held(id, attempt),
    unnest($1::uuid[], $2::int[]) AS f(id, attempt)
  WHERE f.id = held.id AND f.attempt = held.attempt`;

/** The claim from the pending list, and the deltas of the claimed jobs, in one statement. */
const CLAIM_BATCH_FROM_PENDING_WITH_DELTAS = CLAIM_BATCH_FROM_PENDING.replace(
  '  SELECT c.id, c.attempt, j.kind, j.payload, lease.id AS lease_id FROM c JOIN jobs j USING (id), lease',
  `, claimed AS (
    SELECT c.id, c.attempt, j.kind, j.payload, j.priority, j.created_at, lease.id AS lease_id
    FROM c JOIN jobs j USING (id), lease),
  d AS (
    INSERT INTO job_rollup_deltas (bucket_ms, kind, status, priority, change)
    SELECT ${MINUTE('created_at')}, kind, s.status, priority, s.change * count(*)
    FROM claimed, (VALUES ('pending', -1), ('running', 1)) AS s(status, change)
    GROUP BY 1, 2, 3, 4, s.change)
  SELECT id, attempt, kind, payload, lease_id FROM claimed`,
);

if (!CLAIM_BATCH_FROM_PENDING_WITH_DELTAS.includes('job_rollup_deltas'))
  throw new Error('claim with deltas not built');

const COMPLETE_UNDER_LEASE_WITH_DELTAS = `
  WITH lease AS (DELETE FROM job_leases WHERE id = $4 AND worker_id = $3 RETURNING job_ids, attempts),
  done AS (
    INSERT INTO job_results (id, attempt, status, result, completed_at)
    SELECT f.id, f.attempt, 'completed', '{}'::jsonb, now()
    FROM lease, unnest(lease.job_ids, lease.attempts) AS held(id, attempt),
      unnest($1::uuid[], $2::int[]) AS f(id, attempt)
    WHERE f.id = held.id AND f.attempt = held.attempt
    RETURNING id)
  INSERT INTO job_rollup_deltas (bucket_ms, kind, status, priority, change)
  SELECT ${MINUTE('j.created_at')}, j.kind, s.status, j.priority, s.change * count(*)
  FROM done JOIN jobs j USING (id), (VALUES ('running', -1), ('completed', 1)) AS s(status, change)
  GROUP BY 1, 2, 3, 4, s.change`;

/** The lease candidates: their tables, and how each adds, claims and completes jobs. */
const LEASE_MODES = {
  'in place': {
    tables: BATCH_QUEUE_TABLE,
    enqueue: `INSERT INTO job_queue (kind) SELECT 'noop' FROM generate_series(1, $1)`,
    settle: 'VACUUM ANALYZE job_queue',
    claim: CLAIM_BATCH_IN_PLACE,
    complete: COMPLETE_UNDER_LEASE,
    completionCountsJobs: true,
  },
  'pending apart': {
    tables: PENDING_TABLES,
    enqueue: ENQUEUE_PENDING,
    settle: 'VACUUM ANALYZE jobs, job_pending',
    claim: CLAIM_BATCH_FROM_PENDING,
    complete: COMPLETE_UNDER_LEASE,
    completionCountsJobs: true,
  },
  'pending apart+deltas': {
    tables: PENDING_TABLES + DELTAS_TABLE,
    enqueue: ENQUEUE_PENDING,
    settle: 'VACUUM ANALYZE jobs, job_pending',
    claim: CLAIM_BATCH_FROM_PENDING_WITH_DELTAS,
    complete: COMPLETE_UNDER_LEASE_WITH_DELTAS,
    completionCountsJobs: false,
  },
} as const;

const leaseDesign = (mode: keyof typeof LEASE_MODES): Design => ({
  async prepare(url, schema) {
    const { tables, enqueue, settle, claim, complete, completionCountsJobs } = LEASE_MODES[mode];
    const pool = new pg.Pool({ connectionString: url, max: loops, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(tables + LEASE_TABLE + RESULT_TABLE);
    return {
      async enqueue() {
        await pool.query(enqueue, [jobs]);
      },
      async settle() {
        await pool.query(settle);
      },
      drain: inLoops(async (loop) => {
        const worker = `loop-${loop}`;
        const { rows } = await pool.query<{ id: string; attempt: number; lease_id: string }>({
          name: `claim-lease-${mode}`,
          text: claim,
          values: [worker, batch, ['noop']],
        });
        const lease = rows[0]?.lease_id;
        if (lease === undefined) return 0;
        const { rowCount } = await pool.query({
          name: `complete-lease-${mode}`,
          text: complete,
          values: [rows.map((r) => r.id), rows.map((r) => r.attempt), worker, lease],
        });
        // (With deltas the statement's count is of delta rows.)
        if (completionCountsJobs && rowCount !== rows.length)
          throw new Error(`completed ${rowCount} of ${rows.length} under lease ${lease}`);
        return rows.length;
      }),
      close: () => pool.end(),
    };
  },
});

/**
 * graphile-worker itself, in the configuration of the bench's `graphile-batched` (a local queue of
 * 500, completions batched with a 0 ms delay), `loops` concurrent jobs, run in this process: the
 * drain starts the runner and ends when every job is complete and the runner has stopped (which
 * writes the last completion batch).
 */
const graphileBatched: Design = {
  async prepare(url, schema) {
    const utils = await makeWorkerUtils({ connectionString: url, schema, logger: silentGraphileLogger });
    await utils.migrate();
    return {
      async enqueue() {
        for (let added = 0; added < jobs; added += 5000) {
          await utils.addJobs(
            Array.from({ length: Math.min(5000, jobs - added) }, () => ({ identifier: 'noop', payload: {} })),
          );
        }
      },
      async settle() {
        await utils.withPgClient((client) => client.query(`VACUUM ANALYZE ${schema}._private_jobs`));
      },
      async drain() {
        let completed = 0;
        let resolve: (value: void) => void = () => undefined;
        const allComplete = new Promise<void>((done) => (resolve = done));
        // Listening before the runner starts: its first jobs may complete before run() returns.
        const events: WorkerEvents = new EventEmitter();
        events.on('job:complete', () => {
          completed += 1;
          if (completed === jobs) resolve();
        });
        const runner = await run({
          events,
          connectionString: url,
          schema,
          concurrency: loops,
          noHandleSignals: true,
          logger: silentGraphileLogger,
          taskList: { noop: async () => undefined },
          preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
        });
        await allComplete;
        await runner.stop();
        const { rows } = await utils.withPgClient((client) =>
          client.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}._private_jobs`),
        );
        if (Number(rows[0]?.n) !== 0)
          throw new Error(`${rows[0]?.n} graphile-worker jobs left after the drain`);
        return completed;
      },
      close: async () => {
        await utils.release();
      },
    };
  },
};

const designs = new Map<string, Design>([
  ['as built', asBuilt(false)],
  ['as built, no rollup triggers', asBuilt(true)],
  ['as built, no listing indexes in the way', asBuilt(false, true)],
  ['hot queue + history', queueDesign('history')],
  ['hot queue + history + rollup deltas', queueDesign('history+deltas')],
  ['queue only (no history)', queueDesign('delete')],
  ['leases on batches, job row claimed in place, results appended', leaseDesign('in place')],
  [
    'leases on batches, pending jobs apart, job row written once, results appended',
    leaseDesign('pending apart'),
  ],
  [
    'leases on batches, pending jobs apart, job row written once, results appended + rollup deltas',
    leaseDesign('pending apart+deltas'),
  ],
  ['graphile-worker batched (local queue 500)', graphileBatched],
]);

const only = values.only.split(';').filter((name) => name !== '');
for (const name of designs.keys()) if (only.length > 0 && !only.includes(name)) designs.delete(name);

async function measure(design: Design): Promise<Cost> {
  const schema = uniqueName('design');
  const drainer = await design.prepare(server.url, schema);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const lsn = async () => (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]?.l;
  const walSince = async (before: string | undefined) =>
    Number(
      (
        await admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [
          before,
        ])
      ).rows[0]?.bytes,
    );
  try {
    await admin.query('CHECKPOINT');
    const [enqueueLsn, enqueueServerBefore] = [await lsn(), serverCpu()];
    await drainer.enqueue();
    const enqueueWal = await walSince(enqueueLsn);
    const enqueueServer = serverCpu() - enqueueServerBefore;
    await drainer.settle?.();
    await admin.query('CHECKPOINT');
    const lsnBefore = await lsn();
    const [serverBefore, clientBefore, startedAt] = [serverCpu(), cpuUsage(), nowNs()];
    const done = await drainer.drain();
    const elapsedMs = msSince(startedAt, nowNs());
    const [serverAfter, client] = [serverCpu(), cpuUsage(clientBefore)];
    const wal = await walSince(lsnBefore);
    if (done !== jobs) throw new Error(`drained ${done} of ${jobs} jobs`);
    const serverCpuUsPerJob = ((serverAfter - serverBefore) * 1e6) / jobs;
    const clientCpuUsPerJob = (client.user + client.system) / jobs;
    return {
      jobsPerSecond: jobs / (elapsedMs / 1000),
      walBytesPerJob: wal / jobs,
      serverCpuUsPerJob,
      clientCpuUsPerJob,
      cpuUsPerJob: serverCpuUsPerJob + clientCpuUsPerJob,
      enqueueWalBytesPerJob: enqueueWal / jobs,
      enqueueServerCpuUsPerJob: (enqueueServer * 1e6) / jobs,
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
          `client ${cost.clientCpuUsPerJob.toFixed(1)} µs a job; enqueue ${cost.enqueueWalBytesPerJob.toFixed(0)} B WAL, ` +
          `server ${cost.enqueueServerCpuUsPerJob.toFixed(1)} µs a job\n`,
      );
    }
  }
  const FIGURES: [keyof Cost, string, number][] = [
    ['jobsPerSecond', 'jobs/s', 0],
    ['walBytesPerJob', 'WAL bytes a job', 0],
    ['serverCpuUsPerJob', 'server CPU µs a job', 1],
    ['clientCpuUsPerJob', 'client CPU µs a job', 1],
    ['cpuUsPerJob', 'server + client µs a job', 1],
    ['enqueueWalBytesPerJob', 'enqueue: WAL bytes a job', 0],
    ['enqueueServerCpuUsPerJob', 'enqueue: server CPU µs a job', 1],
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
