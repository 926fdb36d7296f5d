/**
 * Four real worker processes share 2,000 `sleep` jobs while one of them is killed with SIGKILL ten
 * times (and restarted). Every job must end completed, no job's runs may overlap in time, and every
 * orphaned job must run again within one lease plus one sweep.
 *
 * A run ends with its `completed` event, with its worker's death, or with its `recovered` event,
 * whichever comes first: on a loaded machine a live worker can miss its (short, claim-ahead) lease,
 * and from the recovery on its writes to that attempt are fenced off, so the next attempt may start.
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
  cause: string | null;
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
        if (e.type !== 'started' && e.type !== 'completed' && e.type !== 'recovered') continue;
        events.push({
          job_id: e.jobId,
          type: e.type,
          at: e.at,
          attempt: e.attempt,
          worker_id: e.workerId,
          cause: typeof e.data?.cause === 'string' ? e.data.cause : null,
        });
      }
    }
    const killedAt = new Map(killed.map((p) => [p.workerId, p.killedAt ?? 0]));

    // Runs per job: a run starts with 'started' and ends with 'completed', with its worker's death or
    // with its 'recovered' event (the lease was taken back from a live worker).
    interface Run {
      attempt: number;
      worker: string;
      start: number;
      end: number | null;
      recoveredAt: number | null;
      cause: string | null;
    }
    const runs = new Map<string, Run[]>();
    for (const e of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const list = runs.get(e.job_id) ?? [];
      runs.set(e.job_id, list);
      if (e.type === 'started') {
        list.push({
          attempt: e.attempt,
          worker: e.worker_id ?? '',
          start: e.at.getTime(),
          end: null,
          recoveredAt: null,
          cause: null,
        });
        continue;
      }
      const run = list.find((r) => r.attempt === e.attempt);
      if (!run) continue;
      if (e.type === 'completed') run.end = e.at.getTime();
      else if (run.recoveredAt === null) {
        run.recoveredAt = e.at.getTime();
        run.cause = e.cause;
      }
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
        // An unfinished run ended when its worker died or when its lease was taken back, whichever
        // came first; a run that has neither was never ended, and nothing may run after it.
        expect(run.end, `job ${jobId} attempt ${run.attempt} did not complete`).toBeNull();
        const death = killedAt.get(run.worker) ?? null;
        const ends = [death, run.recoveredAt].filter((at): at is number => at !== null);
        expect(
          ends,
          `job ${jobId} attempt ${run.attempt}: its worker died or it was recovered`,
        ).not.toHaveLength(0);
        const end = Math.min(...ends);
        if (run.cause === 'worker_gone') {
          // Taken back without waiting for the lease only once its process was gone, never while alive.
          expect(death, `job ${jobId} attempt ${run.attempt}: recovered as gone, was killed`).not.toBeNull();
          expect(
            run.recoveredAt,
            `job ${jobId} attempt ${run.attempt}: recovered after the kill`,
          ).toBeGreaterThanOrEqual(death ?? 0);
        }
        expect(
          next.start,
          `job ${jobId}: attempt ${next.attempt} starts after attempt ${run.attempt} ended`,
        ).toBeGreaterThanOrEqual(end);
        orphans += 1;
        // The re-run delay the kills cost: from a death, not from a lease a live worker missed.
        if (death !== null && death === end) worstRerunMs = Math.max(worstRerunMs, next.start - end);
      }
    }
    expect(orphans).toBeGreaterThan(0);
    // Within one lease plus one sweep (plus a second for claiming on a busy 2-core machine).
    expect(worstRerunMs).toBeLessThanOrEqual((LEASE_SECONDS + REAPER_SECONDS * 1.25 + 1) * 1000);
    console.log(`${t.dialect}: ${orphans} orphaned runs, slowest re-run ${worstRerunMs} ms after the kill`);
  });
});
