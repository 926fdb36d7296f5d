/**
 * What a SQLite drain costs per job, reelqueue's store beside the floor, A/B across checkouts: each
 * round drains N no-op jobs (enqueued in bulk first) once per variant, each in a child process of its
 * own, and reports the process CPU time (user + system) per job of the drain and its jobs/s. Rounds
 * rotate the order, so the machine's drift falls on every variant alike.
 *
 * Variants:
 * - `store:<checkout>`: reelqueue's store of that checkout (its src/, migrated fresh), driven as a
 *   worker's loop drives it: claim 200, completeMany of the batch, one BEGIN IMMEDIATE each.
 * - `bare-schema`: the same two statements as this checkout's store runs them (its `jobsSql`), on
 *   its full schema (every trigger and index), from a bare better-sqlite3 loop: no store code.
 * - `bare-min`: the floor. The minimal durable claim and fenced completion on a minimal table
 *   (status, attempt, worker, lease, result; one partial claim index), WAL, synchronous=NORMAL as
 *   reelqueue runs, one BEGIN IMMEDIATE each, from a bare better-sqlite3 loop.
 *
 *   npx tsx bench/tools/sqlite-drain-cpu.ts [--jobs 20000] [--rounds 5] [--batch 200]
 *     [--variant store:/path/to/checkout ...] [--variant bare-schema] [--variant bare-min]
 *
 * Without --variant: `store:` of this checkout, `bare-schema` and `bare-min`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { summaryText } from '../lib/stats.js';
import { tempDirectory } from '../lib/services.js';

const HERE = fileURLToPath(import.meta.url);
const CHECKOUT = path.resolve(path.dirname(HERE), '../..');

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '200' },
    variant: { type: 'string', multiple: true, default: [] },
    child: { type: 'string' },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);

interface DrainCost {
  cpuUsPerJob: number;
  jobsPerSecond: number;
  /** WAL bytes written a job (`bare-schema` only: no checkpoint during its drain). */
  walBytesPerJob?: number;
}

/** Drains through the store of `checkout` (its src/, imported as TypeScript by tsx). */
async function storeDrain(checkout: string): Promise<DrainCost> {
  const from = (file: string) => import(pathToFileURL(path.join(checkout, 'src', file)).href);
  const [{ loadConfig }, { openDatabase }, { leaseOf }, { resolveNewJob }, { KindRegistry }, { noopKind }] =
    await Promise.all([
      from('config.ts'),
      from('db/open-database.ts'),
      from('jobs/model.ts'),
      from('jobs/new-job.ts'),
      from('jobs/kinds.ts'),
      from('jobs/builtin-kinds.ts'),
    ]);
  const directory = tempDirectory('rq_drain_cpu');
  const config = loadConfig(
    {},
    {
      DATABASE_URL: `sqlite:${path.join(directory.dir, 'reelqueue.db')}`,
      LOG_LEVEL: 'silent',
    },
  );
  const database = await openDatabase(config);
  try {
    await database.migrate();
    const kinds = new KindRegistry([noopKind]);
    const store = database.jobs;
    const job = () =>
      resolveNewJob({ kind: 'noop', payload: {} }, kinds, { jobTimeoutSeconds: 600, maxRetries: 2 });
    for (let i = 0; i < JOBS; i += 1000) await store.enqueueMany(Array.from({ length: 1000 }, job));
    const started = process.cpuUsage();
    const startedAt = process.hrtime.bigint();
    let done = 0;
    for (;;) {
      const claimed = await store.claim({
        workerId: 'cost',
        kinds: ['noop'],
        limit: BATCH,
        leaseSeconds: 60,
      });
      if (claimed.length === 0) break;
      const ok: boolean[] = await store.completeMany(
        claimed.map((j: unknown) => ({ lease: leaseOf(j), result: {} })),
      );
      done += ok.filter(Boolean).length;
    }
    return measured(started, startedAt, done);
  } finally {
    await database.close();
    directory.remove();
  }
}

function measured(started: NodeJS.CpuUsage, startedAt: bigint, done: number): DrainCost {
  const used = process.cpuUsage(started);
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  if (done !== JOBS) throw new Error(`drained ${done} of ${JOBS}`);
  return { cpuUsPerJob: (used.user + used.system) / JOBS, jobsPerSecond: JOBS / seconds };
}

function openBare(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  return db;
}

/** This checkout's claim and completion statements on its full schema, from a bare loop. */
async function bareSchemaDrain(): Promise<DrainCost> {
  const { loadConfig } = await import('../../src/config.js');
  const { openDatabase } = await import('../../src/db/open-database.js');
  const { KindRegistry } = await import('../../src/jobs/kinds.js');
  const { noopKind } = await import('../../src/jobs/builtin-kinds.js');
  const { resolveNewJob } = await import('../../src/jobs/new-job.js');
  const { jobsSql } = await import('../../src/db/sqlite/sql/jobs-sql.js');
  const directory = tempDirectory('rq_drain_cpu');
  const file = path.join(directory.dir, 'reelqueue.db');
  const database = await openDatabase(
    loadConfig({}, { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'silent' }),
  );
  try {
    await database.migrate();
    const kinds = new KindRegistry([noopKind]);
    const job = () =>
      resolveNewJob({ kind: 'noop', payload: {} }, kinds, { jobTimeoutSeconds: 600, maxRetries: 2 });
    for (let i = 0; i < JOBS; i += 1000) await database.jobs.enqueueMany(Array.from({ length: 1000 }, job));
  } finally {
    await database.close();
  }
  const db = openBare(file);
  try {
    const sql = jobsSql as unknown as Record<string, string>;
    const held = 'eventIdCounter' in sql;
    const claim = db.prepare(sql['claim']!).raw(true);
    const complete = db.prepare(sql['completeMany']!).raw(true);
    const counter = held ? db.prepare(sql['eventIdCounter']!).pluck() : null;
    const reserve = held ? db.prepare(sql['reserveEventIds']!).pluck() : null;
    const kindsJson = JSON.stringify(['noop']);
    // The WAL's growth over the drain is what it wrote: checkpointed empty first, none during it.
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    const started = process.cpuUsage();
    const startedAt = process.hrtime.bigint();
    let done = 0;
    const claimBatch = db.transaction(() => {
      const eventBase = counter?.get();
      const rows = claim.all({
        workerId: 'cost',
        leaseMs: 60_000,
        kinds: kindsJson,
        limit: BATCH,
        eventBase,
      });
      if (reserve && rows.length > 0) reserve.get({ count: rows.length });
      const claimed = (rows as string[][]).map((row) => JSON.parse(row[0]!) as unknown[]);
      return claimed;
    });
    const completeBatch = db.transaction((input: string, count: number) => {
      const eventBase = reserve ? reserve.get({ count }) : undefined;
      return complete.all({ completions: input, eventBase }).length;
    });
    for (;;) {
      const claimed = claimBatch.immediate();
      if (claimed.length === 0) break;
      const input = JSON.stringify(
        claimed.map((fields) => ({
          id: fields[0],
          attempt: fields[attemptIndex],
          worker_id: 'cost',
          result: {},
        })),
      );
      done += completeBatch.immediate(input, claimed.length);
    }
    return { ...measured(started, startedAt, done), walBytesPerJob: statSync(`${file}-wal`).size / JOBS };
  } finally {
    db.close();
    directory.remove();
  }
}
/** Where `attempt` sits in a `JOB_ARRAY` (JOB_FIELDS order). */
let attemptIndex = 0;

/** The floor: a minimal table, the minimal durable claim and fenced completion. */
function bareMinDrain(): DrainCost {
  const directory = tempDirectory('rq_drain_cpu');
  const db = openBare(path.join(directory.dir, 'floor.db'));
  try {
    db.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL,
        run_at INTEGER NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, worker_id TEXT,
        lease_expires_at INTEGER, started_at INTEGER, completed_at INTEGER, payload TEXT NOT NULL,
        result TEXT) STRICT;
      CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id) WHERE status = 'pending';`);
    const insert = db.prepare(`INSERT INTO jobs (id, kind, status, priority, run_at, payload)
      SELECT value ->> 0, 'noop', 'pending', 1, 0, '{}' FROM jsonb_each(@ids)`);
    db.transaction(() => {
      for (let i = 0; i < JOBS; i += 1000) {
        const ids = Array.from({ length: Math.min(1000, JOBS - i) }, () => [randomUUID()]);
        insert.run({ ids: JSON.stringify(ids) });
      }
    })();
    const now = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
    const claim = db
      .prepare(
        `UPDATE jobs SET status = 'running', attempt = attempt + 1, worker_id = @workerId,
          started_at = ${now}, lease_expires_at = ${now} + 60000
        WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_claim_idx
          WHERE status = 'pending' AND run_at <= ${now} AND kind = 'noop'
          ORDER BY priority DESC, run_at, id LIMIT ${BATCH})
        RETURNING id, attempt`,
      )
      .raw(true);
    const complete = db.prepare(
      `UPDATE jobs SET status = 'completed', completed_at = ${now}, lease_expires_at = NULL,
        result = input.result
      FROM (SELECT value ->> 0 AS id, value ->> 1 AS attempt, value ->> 2 AS worker_id,
        value -> 3 AS result FROM jsonb_each(@completions)) AS input
      WHERE jobs.id = input.id AND jobs.attempt = input.attempt AND jobs.worker_id = input.worker_id
        AND +jobs.status = 'running'`,
    );
    const claimBatch = db.transaction(() => claim.all({ workerId: 'cost' }) as [string, number][]);
    const completeBatch = db.transaction((input: string) => complete.run({ completions: input }).changes);
    const started = process.cpuUsage();
    const startedAt = process.hrtime.bigint();
    let done = 0;
    for (;;) {
      const rows = claimBatch.immediate();
      if (rows.length === 0) break;
      done += completeBatch.immediate(JSON.stringify(rows.map(([id, attempt]) => [id, attempt, 'cost', {}])));
    }
    return measured(started, startedAt, done);
  } finally {
    db.close();
    directory.remove();
  }
}

async function runChild(variant: string): Promise<void> {
  let cost: DrainCost;
  if (variant.startsWith('store:')) cost = await storeDrain(variant.slice('store:'.length));
  else if (variant === 'bare-schema') {
    const { JOB_FIELDS } = await import('../../src/db/sqlite/job-row.js');
    attemptIndex = (JOB_FIELDS as readonly string[]).indexOf('attempt');
    cost = await bareSchemaDrain();
  } else if (variant === 'bare-min') cost = bareMinDrain();
  else throw new Error(`unknown variant ${variant}`);
  process.stdout.write(JSON.stringify(cost));
}

if (values.child !== undefined) {
  await runChild(values.child);
} else {
  const variants =
    values.variant.length > 0 ? values.variant : [`store:${CHECKOUT}`, 'bare-schema', 'bare-min'];
  const results = new Map(variants.map((v) => [v, [] as DrainCost[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const variant of order) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, HERE, '--child', variant, '--jobs', String(JOBS), '--batch', String(BATCH)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`${variant} exited with ${child.status}`);
      const cost = JSON.parse(child.stdout) as DrainCost;
      results.get(variant)!.push(cost);
      process.stderr.write(
        `round ${round + 1}: ${variant} ${cost.cpuUsPerJob.toFixed(2)} µs CPU/job, ${Math.round(cost.jobsPerSecond)} jobs/s\n`,
      );
    }
  }
  console.log(
    `SQLite drain of ${JOBS} no-op jobs (claim ${BATCH} + completion of the batch), ${ROUNDS} rounds:`,
  );
  for (const [variant, costs] of results) {
    console.log(`  ${variant}`);
    console.log(
      `    CPU µs/job: ${summaryText(
        costs.map((c) => c.cpuUsPerJob),
        2,
      )}`,
    );
    console.log(
      `    jobs/s:     ${summaryText(
        costs.map((c) => c.jobsPerSecond),
        0,
      )}`,
    );
    const wal = costs.flatMap((c) => (c.walBytesPerJob === undefined ? [] : [c.walBytesPerJob]));
    if (wal.length > 0) console.log(`    WAL B/job:  ${summaryText(wal, 0)}`);
  }
}
