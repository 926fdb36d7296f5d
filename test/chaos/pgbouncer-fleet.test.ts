/**
 * Real worker processes through a transaction-mode PgBouncer (Debian's 1.18, started by the test in
 * front of a throwaway PostgreSQL whose max_connections is small): pooled queries go through the
 * pooler, LISTEN straight to the server. A third of the workers are killed with SIGKILL mid-run:
 * every job still completes, once, and no surviving worker logs an error. PostgreSQL only.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/test-database.js';
import { ThrowawayPgBouncer } from '../support/throwaway-pgbouncer.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const JOBS = 900;
const WORKERS = 6;
const KILLED = 2;
/** Server connections: the pooler's 10, each worker's LISTEN, the test's own handles, and spare. */
const MAX_CONNECTIONS = 40;
const settings = {
  LEASE_SECONDS: '2',
  HEARTBEAT_SECONDS: '0.4',
  REAPER_INTERVAL_SECONDS: '0.5',
  POLL_INTERVAL_MS: '500',
  DATABASE_POOL_SIZE: '4',
};

describe.runIf(DIALECT === 'postgres')('a worker fleet through PgBouncer', () => {
  let server: ThrowawayPostgres;
  let bouncer: ThrowawayPgBouncer;
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    server = await ThrowawayPostgres.start({ max_connections: String(MAX_CONNECTIONS) });
  });

  afterAll(() => {
    server.destroy();
  });

  beforeEach(async () => {
    t = await createTestDatabase(settings, { postgresUrl: server.url });
    bouncer = await ThrowawayPgBouncer.start({
      serverPort: server.port,
      database: 'postgres',
      schema: t.config.databaseSchema,
      poolSize: 10,
    });
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await app.close();
    await t.cleanup();
    bouncer.destroy();
  });

  it('completes every job once while a third of the workers are killed with SIGKILL', async () => {
    await app.enqueueMany(
      Array.from({ length: JOBS }, (_, i) => ({
        kind: 'sleep',
        payload: { ms: 5 + (i % 20) },
        maxRetries: 0,
      })),
    );
    for (let i = 0; i < WORKERS; i++) {
      const worker = new WorkerProcess(
        {
          ...t.env,
          ...settings,
          DATABASE_URL: bouncer.url,
          DATABASE_LISTEN_URL: server.url,
          // Small batches, so that every worker gets a share of the jobs before they run out.
          WORKER_PREFETCH: '4',
        },
        ['--concurrency', '2'],
      );
      processes.push(worker);
    }
    await Promise.all(processes.map((worker) => worker.started(120_000))).catch((error: unknown) => {
      const logs = processes.map((worker) => worker.stderrLines.slice(-3).join('\n')).join('\n');
      throw new Error(`${String(error)}\n${logs}\n${bouncer.log().slice(-2000)}`);
    });

    await waitFor(async () => (await app.jobs.health(ALL_JOBS)).completed >= JOBS / 4, {
      timeoutMs: 60_000,
      what: 'a quarter of the jobs to complete',
    });
    const victims = processes.slice(0, KILLED);
    for (const victim of victims) await victim.killHard();

    await waitFor(async () => (await app.jobs.health(ALL_JOBS)).completed === JOBS, {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: `every job to complete (pooler log:\n${bouncer.log().slice(-2000)})`,
    });
    expect(await app.jobs.health(ALL_JOBS)).toMatchObject({
      completed: JOBS,
      failed: 0,
      pending: 0,
      running: 0,
    });

    // Once each: one completion per job, by the worker that held its last attempt.
    const completions = await t.sql<{ completed: number; jobs: number }>({
      sqlite: '',
      postgres: `SELECT count(*)::int AS jobs, count(completed_at)::int AS completed FROM jobs`,
    });
    expect(completions).toEqual([{ jobs: JOBS, completed: JOBS }]);

    const survivors = processes.slice(KILLED);
    const byWorker = await t.sql<{ worker_id: string; jobs: number }>({
      sqlite: '',
      postgres: 'SELECT worker_id, count(*)::int AS jobs FROM jobs GROUP BY worker_id',
    });
    const done = new Map(byWorker.map((row) => [row.worker_id, row.jobs]));
    for (const worker of survivors) expect(done.get(worker.workerId ?? '') ?? 0).toBeGreaterThan(0);

    // No connection error, nor any other error, in a surviving worker's log.
    const errors = survivors.flatMap((worker) =>
      worker.stderrLines.filter((line) => /"level":(50|60)/.test(line)),
    );
    expect(errors).toEqual([]);
  });
});
