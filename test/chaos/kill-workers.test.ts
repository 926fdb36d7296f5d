/**
 * Four real worker processes share 2,000 `sleep` jobs while one of them is killed with SIGKILL ten
 * times (and restarted). Every job must end completed, no job's runs may overlap in time, and every
 * orphaned job must run again within one lease plus one sweep.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const JOBS = 2000;
const WORKERS = 4;
const KILLS = 10;
const LEASE_SECONDS = 2;
const REAPER_SECONDS = 0.5;
const settings = {
  LEASE_SECONDS: String(LEASE_SECONDS),
  HEARTBEAT_SECONDS: '0.4',
  REAPER_INTERVAL_SECONDS: String(REAPER_SECONDS),
  POLL_INTERVAL_MS: '200',
  SHUTDOWN_GRACE_SECONDS: '5',
};

interface EventRow {
  job_id: string;
  type: string;
  at: Date;
  attempt: number;
  worker_id: string | null;
}

describe('crash recovery with real processes', () => {
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

  const spawnWorker = async () => {
    const worker = new WorkerProcess({ ...t.env, ...settings }, ['--concurrency', '8']);
    processes.push(worker);
    await worker.started();
    return worker;
  };

  it('completes every job exactly once at a time while workers are killed with SIGKILL', async () => {
    await app.enqueueMany(
      Array.from({ length: JOBS }, (_, i) => ({
        kind: 'sleep',
        payload: { ms: 20 + ((i * 37) % 130) },
        maxRetries: 50,
      })),
    );
    const alive: WorkerProcess[] = [];
    for (let i = 0; i < WORKERS; i++) alive.push(await spawnWorker());

    const killed: WorkerProcess[] = [];
    for (let k = 0; k < KILLS; k++) {
      await delay(250 + ((k * 97) % 300));
      const victim = alive.splice((k * 3) % alive.length, 1)[0];
      if (!victim) throw new Error('no worker to kill');
      await victim.killHard();
      killed.push(victim);
      alive.push(await spawnWorker());
    }

    await waitFor(
      async () => {
        const health = await app.jobs.health({ all: true });
        return health.completed === JOBS;
      },
      { timeoutMs: 90_000, intervalMs: 200, what: 'every job to complete' },
    );

    const health = await app.jobs.health({ all: true });
    expect(health).toMatchObject({ completed: JOBS, failed: 0, pending: 0, running: 0 });
    // The statistics rollups, whose deltas the killed workers wrote and folded, equal a recount.
    const { processingTimeSeconds: times, ...counted } = await app.jobs.statistics(24, { all: true });
    expect(counted.totals).toMatchObject({ completed: JOBS, running: 0 });
    await app.jobs.rebuildRollups();
    const { processingTimeSeconds: recountedTimes, ...recounted } = await app.jobs.statistics(24, {
      all: true,
    });
    expect(recounted).toEqual(counted);
    expect({ ...recountedTimes, average: null }).toEqual({ ...times, average: null });
    expect(recountedTimes.average).toBeCloseTo(times.average ?? 0, 5);

    // Every job's log through the store: PostgreSQL reads the current attempt's `started` and the
    // `completed` event from the job itself (migration 0017), so job_events holds only some of them.
    const ids = await t.sql<{ id: string }>({
      sqlite: 'SELECT id FROM jobs',
      postgres: 'SELECT id::text AS id FROM jobs',
    });
    const events: EventRow[] = [];
    for (const { id } of ids) {
      for (const e of await app.jobs.listEvents(id, FROM_THE_START, 1000)) {
        if (e.type !== 'started' && e.type !== 'completed') continue;
        events.push({ job_id: e.jobId, type: e.type, at: e.at, attempt: e.attempt, worker_id: e.workerId });
      }
    }
    const killedAt = new Map(killed.map((p) => [p.workerId, p.killedAt ?? 0]));

    // Runs per job: a run starts with 'started' and ends with 'completed' or with its worker's death.
    const runs = new Map<string, { attempt: number; worker: string; start: number; end: number | null }[]>();
    for (const e of events) {
      const list = runs.get(e.job_id) ?? [];
      if (e.type === 'started')
        list.push({ attempt: e.attempt, worker: e.worker_id ?? '', start: e.at.getTime(), end: null });
      else {
        const run = list.find((r) => r.attempt === e.attempt);
        if (run) run.end = e.at.getTime();
      }
      runs.set(e.job_id, list);
    }
    expect(runs.size).toBe(JOBS);
    let orphans = 0;
    let worstRerunMs = 0;
    for (const [jobId, list] of runs) {
      list.sort((a, b) => a.attempt - b.attempt);
      expect(
        list.filter((r) => r.end !== null),
        `job ${jobId} completed once`,
      ).toHaveLength(1);
      for (let i = 0; i < list.length - 1; i++) {
        const run = list[i];
        const next = list[i + 1];
        if (!run || !next) continue;
        // An unfinished run belongs to a killed worker; it ended when that worker died.
        const death = killedAt.get(run.worker);
        expect(run.end, `job ${jobId} attempt ${run.attempt} ran on a killed worker`).toBeNull();
        expect(death, `job ${jobId} attempt ${run.attempt} has a killed worker`).toBeDefined();
        const end = death ?? 0;
        expect(
          next.start,
          `job ${jobId}: attempt ${next.attempt} starts after attempt ${run.attempt} ended`,
        ).toBeGreaterThanOrEqual(end);
        orphans += 1;
        worstRerunMs = Math.max(worstRerunMs, next.start - end);
      }
    }
    expect(orphans).toBeGreaterThan(0);
    // Within one lease plus one sweep (plus a second for claiming on a busy 2-core machine).
    expect(worstRerunMs).toBeLessThanOrEqual((LEASE_SECONDS + REAPER_SECONDS * 1.25 + 1) * 1000);
    console.log(`${t.dialect}: ${orphans} orphaned runs, slowest re-run ${worstRerunMs} ms after the kill`);
  });
});
