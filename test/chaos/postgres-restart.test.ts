/**
 * PostgreSQL restarted under running workers: they reconnect by themselves and nothing is lost.
 * The server restarted is a throwaway one this test starts (`initdb` into a temp folder), never the
 * machine's. PostgreSQL only: SQLite has no server to restart.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/test-database.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const JOBS = 600;
const settings = {
  LEASE_SECONDS: '5',
  HEARTBEAT_SECONDS: '1',
  REAPER_INTERVAL_SECONDS: '1',
  POLL_INTERVAL_MS: '200',
};

describe.runIf(DIALECT === 'postgres')('a PostgreSQL restart during a run', () => {
  let server: ThrowawayPostgres;
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await ThrowawayPostgres.start();
  });

  afterAll(() => {
    server.destroy();
  });

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase(settings, { postgresUrl: server.url });
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await app.close();
    await t.cleanup();
  });

  it('loses no job: workers reconnect by themselves and finish everything', async () => {
    await app.enqueueMany(
      Array.from({ length: JOBS }, () => ({ kind: 'sleep', payload: { ms: 30 }, maxRetries: 5 })),
    );
    for (let i = 0; i < 2; i++) {
      const worker = new WorkerProcess({ ...t.env, ...settings }, ['--concurrency', '4']);
      processes.push(worker);
      await worker.started();
    }
    await waitFor(async () => (await app.jobs.health({ all: true })).completed >= JOBS / 6, {
      what: 'the run to get going',
    });
    server.restartServer('fast');
    // The test's own pool reconnects too: the first queries after the restart may fail.
    await waitFor(
      async () => {
        try {
          const health = await app.jobs.health({ all: true });
          return health.completed === JOBS ? health : null;
        } catch {
          return null;
        }
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'every job to complete after the restart' },
    );
    const health = await app.jobs.health({ all: true });
    expect(health).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 });
    expect(processes.every((p) => !p.exited)).toBe(true);
  });
});
