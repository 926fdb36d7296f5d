/**
 * On one host, a worker process that is proven gone has its running jobs re-queued at once, long
 * before their leases lapse; a worker that is alive but stopped (SIGSTOP, as a slow or frozen one)
 * keeps its job for as long as its lease holds.
 */
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const LEASE_SECONDS = 60;
const settings = {
  LEASE_SECONDS: String(LEASE_SECONDS),
  HEARTBEAT_SECONDS: '1',
  REAPER_INTERVAL_SECONDS: '0.3',
  POLL_INTERVAL_MS: '100',
  SHUTDOWN_GRACE_SECONDS: '0',
};

describe('workers on the same host', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase(settings);
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    for (const p of processes) p.signal('SIGCONT');
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await app.close();
    await t.cleanup();
  });

  /** A worker running one long job; returns the worker and its job's id. */
  const workerWithJob = async (extra: Record<string, string> = {}) => {
    const worker = new WorkerProcess({ ...t.env, ...settings, ...extra }, ['--concurrency', '1']);
    processes.push(worker);
    const workerId = await worker.started();
    const { job } = await app.enqueue({ kind: 'sleep', payload: { ms: 600_000 } });
    await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.workerId === workerId, {
      what: 'the worker to start its job',
    });
    return { worker, jobId: job.id, workerId };
  };

  it('re-queues at once the job of a killed worker, never the job of a stopped one', async () => {
    // The worker to be frozen writes nothing between starting its job and the SIGSTOP (it took the
    // full lease, and its first heartbeat is half a minute away): on SQLite a process frozen inside a
    // write transaction would hold the database's write lock, and no reaper could write until it ran
    // again (seen in CI under load: the killed worker's job was never re-queued).
    const stopped = await workerWithJob({ HEARTBEAT_SECONDS: '30' });
    const killed = await workerWithJob();
    stopped.worker.signal('SIGSTOP');
    await killed.worker.killHard();
    const killedAt = Date.now();
    const reaper = app.createReaper();
    reaper.start();
    try {
      await waitFor(async () => (await app.jobs.get(killed.jobId, ALL_JOBS))?.status === 'pending', {
        what: "the killed worker's job to be re-queued",
        timeoutMs: 20_000,
      });
      const seconds = (Date.now() - killedAt) / 1000;
      expect(seconds).toBeLessThan(LEASE_SECONDS / 4);
      console.log(`${t.dialect}: the killed worker's job was back ${seconds.toFixed(1)} s after the kill`);
      expect(await app.jobs.get(killed.jobId, ALL_JOBS)).toMatchObject({
        errorCode: 'WORKER_LOST',
        lostAttempts: 1,
        retryCount: 0,
      });
      // Several more sweeps: the stopped worker is alive, so its job stays its own.
      const sweeps = 5;
      for (let i = 0; i < sweeps; i += 1) await reaper.sweep();
      expect(await app.jobs.get(stopped.jobId, ALL_JOBS)).toMatchObject({
        status: 'running',
        workerId: stopped.workerId,
      });
      // The dead worker's record is gone; the stopped one's stays.
      const registered = (await app.jobs.workersOnHost(hostname())).map((w) => w.workerId);
      expect(registered).toContain(stopped.workerId);
      expect(registered).not.toContain(killed.workerId);
    } finally {
      await reaper.stop();
    }
  });
});
