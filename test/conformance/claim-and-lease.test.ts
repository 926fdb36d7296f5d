import { describe, expect, it } from 'vitest';
import type { JobPriority } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { expireLease, makeRunnableNow } from '../support/db-fixtures.js';
import { dbNow, eventTypes, msBetween, mustGet, useConformanceDatabase } from '../support/conformance.js';

const claimOf = (kinds: string[], limit = 10, workerId = 'worker-a') => ({
  workerId,
  kinds,
  limit,
  leaseSeconds: 30,
});

describe('claiming', () => {
  const ctx = useConformanceDatabase();

  it('claims urgent before high before normal before low, then the oldest first', async () => {
    const { store, jobs } = ctx();
    const order: JobPriority[] = ['low', 'normal', 'urgent', 'high', 'normal', 'urgent', 'low'];
    const created = [];
    for (const priority of order) created.push(await jobs.pending({ priority }));
    const [low1, normal1, urgent1, high1, normal2, urgent2, low2] = created;
    const claimed: string[] = [];
    for (let i = 0; i < order.length; i++) {
      const [job] = await store.claim(claimOf(['noop'], 1));
      claimed.push(job!.id);
    }
    expect(claimed).toEqual([urgent1, urgent2, high1, normal1, normal2, low1, low2].map((job) => job!.id));
  });

  it('returns a batch claim in claim order', async () => {
    const { store, jobs } = ctx();
    const low = await jobs.pending({ priority: 'low' });
    const normal = await jobs.pending();
    const urgent = await jobs.pending({ priority: 'urgent' });
    const claimed = await store.claim(claimOf(['noop'], 10));
    expect(claimed.map((job) => job.id)).toEqual([urgent.id, normal.id, low.id]);
  });

  it('orders a retried job by when it became due, not when it was created', async () => {
    const { t, store, jobs } = ctx();
    const first = await jobs.pending();
    const second = await jobs.pending();
    const [started] = await store.claim(claimOf(['noop'], 1));
    expect(started!.id).toBe(first.id);
    await store.fail(
      { jobId: first.id, attempt: 1, workerId: 'worker-a' },
      { code: 'X', message: 'x', details: null, terminalStatus: 'failed', retryAfterSeconds: 60 },
    );
    await makeRunnableNow(t, first.id);
    expect((await store.claim(claimOf(['noop'], 2))).map((job) => job.id)).toEqual([second.id, first.id]);
  });

  it('claims no more than the limit', async () => {
    const { store, jobs } = ctx();
    await jobs.pendingMany(7);
    expect(await store.claim(claimOf(['noop'], 3))).toHaveLength(3);
    expect(await store.claim(claimOf(['noop'], 3))).toHaveLength(3);
    expect(await store.claim(claimOf(['noop'], 3))).toHaveLength(1);
    expect(await store.claim(claimOf(['noop'], 3))).toHaveLength(0);
  });

  it('claims only the kinds it was asked for', async () => {
    const { store, jobs } = ctx();
    const sleep = await jobs.pending({ kind: 'sleep', payload: { ms: 1 }, priority: 'urgent' });
    const noop = await jobs.pending({ kind: 'noop', priority: 'low' });
    expect((await store.claim(claimOf(['noop']))).map((job) => job.id)).toEqual([noop.id]);
    expect(await store.claim(claimOf(['presentation']))).toEqual([]);
    expect((await mustGet(store, sleep.id)).status).toBe('pending');
    expect(await store.claim(claimOf([]))).toEqual([]);
  });

  it('starts the job: running, attempt + 1, its worker, a lease from the database clock, a started event', async () => {
    const { t, store, jobs } = ctx();
    const pending = await jobs.pending();
    const [job] = await store.claim({ workerId: 'worker-z', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    const now = await dbNow(t);
    expect(job).toMatchObject({
      id: pending.id,
      status: 'running',
      attempt: 1,
      workerId: 'worker-z',
      retryCount: 0,
    });
    expect(job!.leaseExpiresAt!.getTime()).toBeGreaterThan(now.getTime() + 28_000);
    expect(job!.leaseExpiresAt!.getTime()).toBeLessThanOrEqual(now.getTime() + 30_000);
    expect(msBetween(job!.startedAt!, now)).toBeLessThan(2000);
    expect(await mustGet(store, pending.id)).toEqual(job);
    expect(await eventTypes(store, pending.id)).toEqual(['created', 'started']);
    const events = await store.listEvents(pending.id, FROM_THE_START, 10);
    expect(events[1]).toMatchObject({
      type: 'started',
      at: job!.startedAt,
      status: 'running',
      progress: 0,
      stage: null,
      message: 'Started',
      attempt: 1,
      workerId: 'worker-z',
      data: null,
    });
  });

  it('does not claim a job that is already running', async () => {
    const { store, jobs } = ctx();
    await jobs.running({ kind: 'noop' });
    expect(await store.claim(claimOf(['noop'], 5, 'worker-b'))).toEqual([]);
  });

  it('never gives the same job to two concurrent claimers', async () => {
    const { t, jobs } = ctx();
    const total = 120;
    await jobs.pendingMany(total);
    const a = (await t.reopen()).jobs;
    const b = (await t.reopen()).jobs;
    const seen = new Map<string, string>();
    for (let round = 0; round < 100 && seen.size < total; round++) {
      const batches = await Promise.all([
        a.claim(claimOf(['noop'], 4, 'worker-a')),
        b.claim(claimOf(['noop'], 4, 'worker-b')),
        a.claim(claimOf(['noop'], 3, 'worker-c')),
        b.claim(claimOf(['noop'], 3, 'worker-d')),
      ]);
      for (const job of batches.flat()) {
        expect(seen.get(job.id), `job ${job.id} claimed twice`).toBeUndefined();
        seen.set(job.id, job.workerId!);
      }
    }
    expect(seen.size).toBe(total);
    const running = await ctx().store.list({ statuses: ['running'], limit: 500 }, ALL_JOBS);
    expect(new Map(running.jobs.map((job) => [job.id, job.workerId]))).toEqual(seen);
  });
});

describe('heartbeats', () => {
  const ctx = useConformanceDatabase();

  it('extends the lease from the database clock', async () => {
    const { t, store, jobs } = ctx();
    const { lease } = await jobs.running({ leaseSeconds: 5 });
    const outcomes = await store.heartbeat([lease], 120);
    const now = await dbNow(t);
    expect(outcomes).toEqual([{ jobId: lease.jobId, state: 'held' }]);
    const job = await mustGet(store, lease.jobId);
    expect(job.leaseExpiresAt!.getTime()).toBeGreaterThan(now.getTime() + 110_000);
    expect(msBetween(job.lastHeartbeat!, now)).toBeLessThan(2000);
  });

  it('reports each lease in one call: held, lost after a takeover, cancel requested', async () => {
    const { t, store, jobs } = ctx();
    const held = await jobs.running();
    const takenOver = await jobs.running();
    const cancelled = await jobs.running();
    await expireLease(t, takenOver.job.id);
    await store.recoverExpiredLeases();
    await store.claim({ workerId: 'worker-b', kinds: [takenOver.job.kind], limit: 1, leaseSeconds: 30 });
    await store.cancel(cancelled.job.id, 'user asked', ALL_JOBS);
    const outcomes = await store.heartbeat([held.lease, takenOver.lease, cancelled.lease], 30);
    expect(outcomes).toEqual([
      { jobId: held.job.id, state: 'held' },
      { jobId: takenOver.job.id, state: 'lost' },
      { jobId: cancelled.job.id, state: 'cancel_requested', reason: 'user asked' },
    ]);
  });

  it('reports a lease lost once its job has finished', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running();
    await store.complete(lease, {});
    expect(await store.heartbeat([lease], 30)).toEqual([{ jobId: lease.jobId, state: 'lost' }]);
  });

  it('reads a claimed job back the same by id, with its position and in a listing', async () => {
    // PostgreSQL returns a claim as columns and the other reads as one json value: both must agree.
    const { store, jobs } = ctx();
    const payload = {
      title: 'Quotes " and \\ and \u00e9t\u00e9 \ud83c\udfac',
      nested: { list: [1, 2.5, null, true] },
    };
    const stored = await jobs.pending({ kind: 'presentation', payload, idempotencyKey: 'read-back' });
    const [claimed] = await store.claim(claimOf(['presentation'], 1));
    expect(claimed!.id).toBe(stored.id);
    expect(claimed!.payload).toEqual(payload);
    expect(await store.get(stored.id, ALL_JOBS)).toEqual(claimed);
    expect(await store.getWithPosition(stored.id, ALL_JOBS)).toEqual({ job: claimed, queuePosition: null });
    const { jobs: listed } = await store.list({ limit: 5, statuses: ['running'] }, ALL_JOBS);
    expect(listed).toEqual([claimed]);
  });
});
