/**
 * WAKE_UPS=redis and WAKE_UPS=poll (issue 29): a process behind a transaction-mode pooler holds no
 * LISTEN session. With `redis` a worker hears of a job another process queued, and of a cancel
 * request, over Redis pub/sub, at once (its poll is a minute away); with `poll` it finds jobs at its
 * poll. Two apps on one database stand for two processes: each has its own pool and Redis clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig, type SettingsInput } from '../../src/config.js';
import type { JobKind } from '../../src/jobs/kinds.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs until its job is cancelled. */
const untilCancelled: JobKind = {
  name: 'until_cancelled',
  parsePayload: (input) =>
    typeof input === 'object' && input !== null ? (input as Record<string, never>) : {},
  run: ({ signal }) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
};

describe('wake-ups without a LISTEN session', () => {
  let t: TestDatabase | undefined;
  const apps: Reelqueue[] = [];
  const workers: Worker[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await t?.cleanup();
    t = undefined;
  });

  function database(): TestDatabase {
    if (!t) throw new Error('no test database yet');
    return t;
  }

  async function process(settings: SettingsInput): Promise<Reelqueue> {
    const app = await createReelqueue(
      loadConfig({}, { ...database().env, LOG_LEVEL: 'silent', ...settings }),
      {
        logger: silentLogger(),
        kinds: [untilCancelled],
        defaultKinds: false,
      },
    );
    apps.push(app);
    return app;
  }

  /** LISTEN sessions on this test's channel (PostgreSQL; none on SQLite). */
  async function listenSessions(): Promise<number> {
    if (DIALECT !== 'postgres') return 0;
    const [row] = await database().sql<{ n: number }>({
      sqlite: 'SELECT 0 AS n',
      postgres: `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'LISTEN "reelqueue_' || current_schema() || '"'`,
    });
    return row?.n ?? -1;
  }

  const completed = (app: Reelqueue, id: string) =>
    waitFor(async () => (await app.jobs.get(id, ALL_JOBS))?.status === 'completed', {
      what: 'the job completed',
    });

  it('with redis, a worker picks up a job queued by another process at once and hears its cancel request, with no LISTEN session', async () => {
    t = await createTestDatabase();
    const settings = {
      WAKE_UPS: 'redis',
      REDIS_URL,
      POLL_INTERVAL_MS: 60_000,
      HEARTBEAT_SECONDS: 20,
      LEASE_SECONDS: 60,
    };
    const workerProcess = await process(settings);
    const apiProcess = await process(settings);
    const worker = workerProcess.createWorker({ concurrency: 1 });
    workers.push(worker);
    worker.start();
    // Its start-up claim found nothing; the next poll is a minute away.
    await waitFor(() => worker.isRunning, { what: 'the worker to start' });
    const { job } = await apiProcess.enqueue({ kind: 'noop' });
    await completed(apiProcess, job.id);

    const { job: long } = await apiProcess.enqueue({ kind: 'until_cancelled' });
    await waitFor(async () => (await apiProcess.jobs.get(long.id, ALL_JOBS))?.status === 'running', {
      what: 'the long job to start',
    });
    const outcome = await apiProcess.jobs.cancel(long.id, 'no longer needed', ALL_JOBS);
    expect(outcome.state).toBe('requested');
    // The heartbeat that would also tell it is 20 s away.
    await waitFor(async () => (await apiProcess.jobs.get(long.id, ALL_JOBS))?.status === 'cancelled', {
      what: 'the long job cancelled',
      timeoutMs: 10_000,
    });
    expect(await listenSessions()).toBe(0);
  });

  it('with poll, a worker finds the jobs another process queued at its poll, with no LISTEN session', async () => {
    t = await createTestDatabase();
    const workerProcess = await process({ WAKE_UPS: 'poll', POLL_INTERVAL_MS: 100 });
    const apiProcess = await process({ WAKE_UPS: 'poll' });
    const worker = workerProcess.createWorker({ concurrency: 1 });
    workers.push(worker);
    worker.start();
    const added = await apiProcess.enqueueMany([{ kind: 'noop' }, { kind: 'noop' }, { kind: 'noop' }]);
    for (const { job } of added) await completed(apiProcess, job.id);
    expect(await listenSessions()).toBe(0);
  });

  it.runIf(DIALECT === 'postgres')(
    'with listen (the default), a worker process holds one LISTEN session',
    async () => {
      t = await createTestDatabase();
      const workerProcess = await process({});
      const worker = workerProcess.createWorker({ concurrency: 1 });
      workers.push(worker);
      worker.start();
      await waitFor(async () => (await listenSessions()) === 1, { what: 'the LISTEN session' });
    },
  );

  it('WAKE_UPS=redis without REDIS_URL is refused at start with a clear message', () => {
    expect(() => loadConfig({}, { WAKE_UPS: 'redis' })).toThrow(/WAKE_UPS="redis": needs REDIS_URL/);
    expect(() => loadConfig({}, { WAKE_UPS: 'carrier-pigeon' })).toThrow(/WAKE_UPS/);
    expect(loadConfig({}, {}).wakeUps).toBe('listen');
  });
});
