/**
 * Wake-ups between processes: a job added in one process starts in a worker process at once, and a
 * cancel asked for in one process stops the work in another. Polling and heartbeats are set to
 * minutes here, so only the wake-ups (SQLite: the wake files beside the database; PostgreSQL:
 * LISTEN/NOTIFY) can make these tests pass within their deadlines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const settings = {
  POLL_INTERVAL_MS: '600000',
  HEARTBEAT_SECONDS: '600',
  LEASE_SECONDS: '1200',
  REAPER_INTERVAL_SECONDS: '600',
};
/** Far below the polling and heartbeat intervals, far above a wake-up. */
const DEADLINE_MS = 20_000;

describe('wake-ups across processes', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let worker: WorkerProcess | null = null;

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase(settings);
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    await worker?.stop().catch(() => undefined);
    worker = null;
    await app.close();
    await t.cleanup();
  });

  async function statusOf(id: string): Promise<string | undefined> {
    return (await app.jobs.get(id, ALL_JOBS))?.status;
  }

  it('starts a job added in another process without waiting for a poll', async () => {
    worker = new WorkerProcess({ ...t.env, ...settings });
    const workerId = await worker.started();
    // The worker's first claim may race the first job; every later job can only arrive by wake-up.
    for (let i = 0; i < 3; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      await waitFor(async () => (await statusOf(job.id)) === 'completed', {
        timeoutMs: DEADLINE_MS,
        what: `job ${i + 1} to be completed by the worker process`,
      });
      expect((await app.jobs.get(job.id, ALL_JOBS))?.workerId).toBe(workerId);
    }
  });

  it('stops a running job whose cancel was asked for in another process', async () => {
    worker = new WorkerProcess({ ...t.env, ...settings });
    await worker.started();
    const { job } = await app.enqueue({ kind: 'sleep', payload: { ms: 600_000 } });
    await waitFor(async () => (await statusOf(job.id)) === 'running', {
      timeoutMs: DEADLINE_MS,
      what: 'the worker process to start the job',
    });
    expect((await app.jobs.cancel(job.id, 'no longer needed', ALL_JOBS)).state).toBe('requested');
    await waitFor(async () => (await statusOf(job.id)) === 'cancelled', {
      timeoutMs: DEADLINE_MS,
      what: 'the worker process to stop the job',
    });
    expect((await app.jobs.get(job.id, ALL_JOBS))?.message).toContain('no longer needed');
  });
});
