/**
 * Issue 29, the thundering herd: one new job must not make every idle worker claim. Twenty idle
 * workers hear each one-job wake-up; only a few answer it (src/jobs/wake-up-lottery.ts), and the
 * polls still pick up what no wake-up answer took. Before the lottery, every one of them claimed
 * for every job (about 21 claims per job here).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { notifyChannel } from '../../src/db/postgres/listener.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/test-database.js';
import { idleWorker } from '../support/idle-worker.js';
import { waitFor } from '../support/wait.js';

const WORKERS = 20;
const JOBS = 40;

/** The store, counting the claims made through it. */
function countingClaims(store: JobStore): { store: JobStore; claims: () => number } {
  let claims = 0;
  const counting = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'claim') {
        return (...args: Parameters<JobStore['claim']>) => {
          claims++;
          return target.claim(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counting, claims: () => claims };
}

// SQLite's wake file says no count: there every worker of the host still answers every wake-up.
describe.runIf(DIALECT === 'postgres')('wake-ups of an idle fleet', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const workers: Worker[] = [];

  beforeEach(async () => {
    t = await createTestDatabase({ POLL_INTERVAL_MS: 10_000 });
    app = await createReelqueue(t.config, { logger: silentLogger(), defaultKinds: false });
    // The LISTEN session wakes every worker once when it connects: have it connected before they start.
    let connected = false;
    const unsubscribe = app.jobs.onJobAvailable(() => (connected = true));
    await waitFor(() => connected, { what: 'the LISTEN session' });
    unsubscribe();
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
    await app.close();
    await t.cleanup();
  });

  it('a one-job wake-up makes a few of twenty idle workers claim, not all of them, and every job runs', async () => {
    const counted = countingClaims(app.jobs);
    for (let i = 0; i < WORKERS; i++) {
      const worker = idleWorker(counted.store, app.kinds);
      workers.push(worker);
      worker.start();
    }
    // Their first claims (start-up) are not counted.
    await waitFor(() => counted.claims() >= WORKERS, { what: 'the start-up claims' });
    const before = counted.claims();
    for (let i = 0; i < JOBS; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'completed', {
        what: `job ${i} completed`,
      });
    }
    const perJob = (counted.claims() - before) / JOBS;
    // Every worker claiming for every job makes WORKERS + 1 claims per job; the lottery about 3
    // (answers, the claim after the job, the fleet's polls).
    expect(perJob).toBeLessThan(WORKERS / 3);
    expect(Math.min(...workers.map((worker) => worker.wakeUpChance))).toBeLessThan(1);
    // Every claim is counted under the reason it was made for (the herd bench reads them).
    const byReason = new Map<string, number>();
    for (const worker of workers) {
      for (const [reason, count] of Object.entries(worker.claimsByReason)) {
        byReason.set(reason, (byReason.get(reason) ?? 0) + count);
      }
    }
    expect([...byReason.values()].reduce((sum, count) => sum + count, 0)).toBe(counted.claims());
    expect(byReason.get('start-up')).toBe(WORKERS);
    expect(byReason.get('wake-up')).toBeGreaterThan(0);
    expect(byReason.get('job-finished')).toBeGreaterThan(0);
    expect(byReason.get('uncounted-wake-up')).toBe(0);
  });

  it('a child readied by its parent completing makes a few of twenty idle workers claim, not all of them', async () => {
    const counted = countingClaims(app.jobs);
    for (let i = 0; i < WORKERS; i++) {
      const worker = idleWorker(counted.store, app.kinds);
      workers.push(worker);
      worker.start();
    }
    await waitFor(() => counted.claims() >= WORKERS, { what: 'the start-up claims' });
    const before = counted.claims();
    const PAIRS = 20;
    for (let i = 0; i < PAIRS; i++) {
      const { job: parent } = await app.enqueue({ kind: 'noop' });
      const { job: child } = await app.enqueue({ kind: 'noop', dependsOn: [parent.id] });
      await waitFor(async () => (await app.jobs.get(child.id, ALL_JOBS))?.status === 'completed', {
        what: `child ${i} completed`,
      });
    }
    const perJob = (counted.claims() - before) / (2 * PAIRS);
    // The child's wake-up is sent by the trigger of its parent's completion. Uncounted (before
    // migration 0033), every idle worker answered it: about 13 claims per job here; counted, a few
    // answer, as for the parent's (about 5 per job, the fleet's chance being learnt on the way).
    expect(perJob).toBeLessThan(WORKERS / 3);
  });

  it('a lone worker answers every wake-up: its own claim after a job taking the next one is no loss', async () => {
    const worker = app.createWorker({ concurrency: 2, pollIntervalMs: 60_000 });
    workers.push(worker);
    worker.start();
    for (let i = 0; i < 30; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      // Its poll is at least 30 s away: each job is picked up by answering its wake-up.
      await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'completed', {
        what: `job ${i} completed`,
      });
    }
    expect(worker.wakeUpChance).toBe(1);
  });

  it('a lone worker whose claim in flight took the job a wake-up announces keeps answering wake-ups', async () => {
    // The start-up claim is held until the first job's wake-up has been heard: that claim then takes
    // the job, and the claim answering the wake-up finds nothing. It lost to itself, not to a peer.
    let releaseClaim!: () => void;
    const claimHeld = new Promise<void>((resolve) => (releaseClaim = resolve));
    let heldOnce = false;
    let claimsDone = 0;
    const holding = new Proxy(app.jobs, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'claim') {
          return async (...args: Parameters<JobStore['claim']>) => {
            if (!heldOnce) {
              heldOnce = true;
              await claimHeld;
            }
            try {
              return await target.claim(...args);
            } finally {
              claimsDone++;
            }
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const worker = idleWorker(holding, app.kinds, {
      concurrency: 2,
      pollIntervalMs: 60_000,
    });
    workers.push(worker);
    worker.start();
    let heard = false;
    const unsubscribe = app.jobs.onJobAvailable(() => (heard = true));
    const first = await app.enqueue({ kind: 'noop' });
    await waitFor(() => heard, { what: "the first job's wake-up" });
    unsubscribe();
    releaseClaim();
    await waitFor(async () => (await app.jobs.get(first.job.id, ALL_JOBS))?.status === 'completed', {
      what: 'the first job completed',
    });
    // With a free slot left, the worker answered the wake-up with a second claim, which found nothing.
    await waitFor(() => claimsDone >= 2, { what: 'the answering claim' });
    expect(worker.wakeUpChance).toBe(1);
    const second = await app.enqueue({ kind: 'noop' });
    // The poll is a minute away: the second job starts only because its wake-up is answered.
    await waitFor(async () => (await app.jobs.get(second.job.id, ALL_JOBS))?.status === 'completed', {
      what: 'the second job completed',
    });
  });

  it('a job falling due after its writer closed makes a few of twenty idle workers claim at its due time', async () => {
    const counted = countingClaims(app.jobs);
    for (let i = 0; i < WORKERS; i++) {
      // Polls ten minutes away: only the workers' own due timers can find the jobs in time.
      const worker = idleWorker(counted.store, app.kinds, { pollIntervalMs: 600_000 });
      workers.push(worker);
      worker.start();
    }
    await waitFor(() => counted.claims() >= WORKERS, { what: 'the start-up claims' });
    const completed = (id: string) => async () => (await app.jobs.get(id, ALL_JOBS))?.status === 'completed';
    /**
     * Waits for the job; one that no answer took within `ms` (the lottery draws nobody for about
     * one one-job wake-up in eight, and the polls are ten minutes away) gets an uncounted wake-up,
     * which every idle worker answers. Says whether it needed one.
     */
    const doneOrNudged = async (id: string, ms: number): Promise<boolean> => {
      try {
        await waitFor(completed(id), { what: 'the job', timeoutMs: ms });
        return false;
      } catch {
        await t.sql({ sqlite: '', postgres: `SELECT pg_notify(?, 'a')` }, [
          notifyChannel(t.env.DATABASE_SCHEMA!),
        ]);
        await waitFor(completed(id), { what: 'the job after an uncounted wake-up' });
        return true;
      }
    };
    // The fleet learns its chances from one-job wake-ups first, as a running fleet has.
    for (let i = 0; i < 20; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      await doneOrNudged(job.id, 2000);
    }
    const DUE = 8;
    let timely = 0;
    let timelyClaims = 0;
    for (let i = 0; i < DUE; i++) {
      const before = counted.claims();
      // A process of its own that queues the job and closes before it falls due, its timer with it.
      const writer = await createReelqueue(t.config, { logger: silentLogger(), defaultKinds: false });
      const { job } = await writer.enqueue({ kind: 'noop', runAt: new Date(Date.now() + 1500) });
      await writer.close();
      if (await doneOrNudged(job.id, 6000)) continue;
      // The winner's claim after its job belongs to this job too.
      await waitFor(() => counted.claims() > before, { what: 'the claims of the due job' });
      timely++;
      timelyClaims += counted.claims() - before;
    }
    // Before the workers kept due timers of their own, none was found before its poll. A due
    // timer is answered through the lottery, as a wake-up is: now and then nobody draws it.
    expect(timely).toBeGreaterThanOrEqual(DUE - 3);
    // Every idle worker claiming at the due time would make WORKERS + 1 claims per job.
    expect(timelyClaims / timely).toBeLessThan(WORKERS / 3);
  });

  it('a wake-up for jobs of a kind a worker does not handle makes it claim nothing', async () => {
    const counted = countingClaims(app.jobs);
    const worker = idleWorker(counted.store, app.kinds, {
      kinds: ['sleep'],
      pollIntervalMs: 60_000,
    });
    workers.push(worker);
    worker.start();
    await waitFor(() => counted.claims() >= 1, { what: 'the start-up claim' });
    const noop = app.createWorker({ kinds: ['noop'], concurrency: 1 });
    workers.push(noop);
    noop.start();
    for (let i = 0; i < 5; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'completed', {
        what: `noop job ${i} completed`,
      });
    }
    expect(counted.claims()).toBe(1);
  });
});
