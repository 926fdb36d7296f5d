/**
 * PostgreSQL restarted under running workers: they reconnect by themselves and nothing is lost.
 * Runs alone (`npm run test:restart`), since a restart would break other tests running beside it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const JOBS = 600;
const settings = {
  LEASE_SECONDS: '5',
  HEARTBEAT_SECONDS: '1',
  REAPER_INTERVAL_SECONDS: '1',
  POLL_INTERVAL_MS: '200',
};

function restartPostgres(): void {
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no PostgreSQL cluster in /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
    stdio: 'inherit',
  });
}

describe('a PostgreSQL restart during a run', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase(settings);
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
    restartPostgres();
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
