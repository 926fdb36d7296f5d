/**
 * A worker of fast jobs holds many jobs claimed ahead. Killed with SIGKILL, the jobs it had not
 * started come back after their short claim-ahead lease (two heartbeats), not after the whole lease;
 * the jobs it had started keep the whole lease (no other worker gets a job a live worker may be
 * running).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const CONCURRENCY = 2;
const LEASE_SECONDS = 60;
const HEARTBEAT_SECONDS = 1;
const settings = {
  LEASE_SECONDS: String(LEASE_SECONDS),
  HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
  REAPER_INTERVAL_SECONDS: '0.5',
  POLL_INTERVAL_MS: '200',
  WORKER_PREFETCH: '200',
  WORKER_PREFETCH_WINDOW_MS: '5000',
};

describe('a killed worker holding jobs claimed ahead', () => {
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

  const runningJobs = async () =>
    Number(
      (
        await t.sql<{ n: number | string }>({
          sqlite: "SELECT count(*) AS n FROM jobs WHERE status = 'running'",
          postgres: "SELECT count(*) AS n FROM jobs WHERE status = 'running'",
        })
      )[0]?.n ?? 0,
    );

  /** Running jobs whose lease ends more than half a lease from now: started, renewed to the full lease. */
  const fullLeases = () =>
    t.sql<{ id: string }>({
      sqlite: `SELECT id FROM jobs WHERE status = 'running'
        AND lease_expires_at > CAST(unixepoch('subsec') * 1000 AS INTEGER) + ${(LEASE_SECONDS / 2) * 1000}`,
      postgres: `SELECT id FROM jobs WHERE status = 'running'
        AND lease_expires_at > now() + interval '${LEASE_SECONDS / 2} seconds'`,
    });

  it('gives back the jobs it had not started within a few heartbeats, not a whole lease', async () => {
    const worker = new WorkerProcess({ ...t.env, ...settings }, ['--concurrency', String(CONCURRENCY)]);
    processes.push(worker);
    await worker.started();
    // Short jobs first (the worker learns they are fast), then a backlog of longer ones it claims ahead.
    await app.enqueueMany(Array.from({ length: 20 }, () => ({ kind: 'sleep', payload: { ms: 10 } })));
    await app.enqueueMany(Array.from({ length: 300 }, () => ({ kind: 'sleep', payload: { ms: 1500 } })));
    await waitFor(async () => (await runningJobs()) >= 20, { what: 'jobs claimed ahead', timeoutMs: 30_000 });
    // Killed while a started job holds the full lease (renewed soon after it started).
    await waitFor(async () => (await fullLeases()).length > 0, { what: 'a started job', timeoutMs: 30_000 });

    await worker.killHard();
    const killedAt = Date.now();
    // Leases only, as a reaper on another host sees it: the same-host proof that the process is gone
    // (dead-worker-same-host.test.ts) would bring every job back at once and prove nothing here.
    // The started jobs (at most one per slot) keep their full lease; every other one comes back.
    await waitFor(
      async () => {
        await app.jobs.recoverExpiredLeases();
        return (await runningJobs()) <= CONCURRENCY;
      },
      { what: 'the jobs claimed ahead to come back', timeoutMs: 20_000, intervalMs: 250 },
    );
    const seconds = (Date.now() - killedAt) / 1000;
    expect(seconds).toBeLessThan(LEASE_SECONDS / 4);
    console.log(`${t.dialect}: jobs claimed ahead back ${seconds.toFixed(1)} s after the kill`);
    const started = await runningJobs();
    expect(started).toBeGreaterThan(0);
    expect((await fullLeases()).length).toBe(started);
  });
});
