import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { expireLease, setLastHeartbeatMinutesAgo } from '../support/db-fixtures.js';
import { eventTypes, mustGet, useConformanceDatabase } from '../support/conformance.js';

/** The data of a job's last `recovered` event: why it was taken back from its worker. */
async function recoveryData(store: JobStore, id: string): Promise<unknown> {
  const events = await store.listEvents(id, FROM_THE_START, 100);
  return events.filter((e) => e.type === 'recovered').at(-1)?.data;
}

async function snapshot(store: JobStore, ids: readonly string[]): Promise<Job[]> {
  return Promise.all(ids.map((id) => mustGet(store, id)));
}

describe('recovering jobs whose lease lapsed', () => {
  const ctx = useConformanceDatabase();

  it('re-queues every backdated lease in one sweep and leaves every other row untouched', async () => {
    const { t, store, jobs } = ctx();
    const orphans = [await jobs.running({ maxRetries: 2 }), await jobs.running({ maxRetries: 2 })];
    const live = await jobs.running();
    const others = [
      await jobs.pending(),
      await jobs.completed(),
      await jobs.failed(),
      await jobs.cancelled(),
    ];
    const untouchedIds = [live.job.id, ...others.map((job) => job.id)];
    const before = await snapshot(store, untouchedIds);
    for (const orphan of orphans) await expireLease(t, orphan.job.id);

    const outcome = await store.recoverExpiredLeases();

    expect(outcome.requeued.sort()).toEqual(orphans.map((o) => o.job.id).sort());
    expect(outcome.failed).toEqual([]);
    expect(outcome.cancelled).toEqual([]);
    for (const orphan of orphans) {
      const job = await mustGet(store, orphan.job.id);
      expect(job).toMatchObject({
        status: 'pending',
        retryCount: 0,
        lostAttempts: 1,
        workerId: null,
        leaseExpiresAt: null,
      });
      expect(job.errorCode).toBe('WORKER_LOST');
      expect(await eventTypes(store, job.id)).toEqual(['created', 'started', 'recovered']);
      expect(await recoveryData(store, job.id)).toEqual({
        error_code: 'WORKER_LOST',
        cause: 'lease_expired',
      });
    }
    expect(await snapshot(store, untouchedIds)).toEqual(before);
    expect((await store.recoverExpiredLeases()).requeued).toEqual([]);
  });

  it('lets a re-queued orphan run again at once, with the next attempt', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running();
    await expireLease(t, job.id);
    await store.recoverExpiredLeases();
    const [again] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(again).toMatchObject({ id: job.id, attempt: 2, workerId: 'worker-b', status: 'running' });
  });

  it('a re-queued orphan keeps its place in line ahead of newer jobs', async () => {
    const { t, store, jobs } = ctx();
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const { job } = await jobs.running({ kind: 'noop', runAt: hoursAgo(2) });
    const newer = await jobs.pending({ runAt: hoursAgo(1) });
    await expireLease(t, job.id);
    await store.recoverExpiredLeases();
    const claimed = await store.claim({ workerId: 'worker-b', kinds: ['noop'], limit: 2, leaseSeconds: 30 });
    expect(claimed.map((j) => j.id)).toEqual([job.id, newer.id]);
  });

  it('re-queues an orphan with no retries left: a lost worker uses up no retry', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ maxRetries: 0 });
    await expireLease(t, job.id);
    expect(await store.recoverExpiredLeases()).toEqual({ requeued: [job.id], failed: [], cancelled: [] });
    expect(await mustGet(store, job.id)).toMatchObject({
      status: 'pending',
      retryCount: 0,
      lostAttempts: 1,
      errorCode: 'WORKER_LOST',
    });
  });

  it('keeps every retry of an orphan recovered MAX_LOST_ATTEMPTS times, then can still fail it', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ kind: 'noop', maxRetries: 1 });
    for (let lost = 1; lost <= t.config.maxLostAttempts; lost += 1) {
      await expireLease(t, job.id);
      expect((await store.recoverExpiredLeases()).requeued).toEqual([job.id]);
      expect(await mustGet(store, job.id)).toMatchObject({ retryCount: 0, lostAttempts: lost });
      const [again] = await store.claim({
        workerId: `worker-${lost}`,
        kinds: ['noop'],
        limit: 1,
        leaseSeconds: 30,
      });
      expect(again?.id).toBe(job.id);
    }
    // Its own failure still gets its retry.
    const running = await mustGet(store, job.id);
    const retried = await store.fail(
      { jobId: job.id, attempt: running.attempt, workerId: running.workerId ?? '' },
      {
        code: 'HANDLER_FAILED',
        message: 'boom',
        details: null,
        terminalStatus: 'failed',
        retryAfterSeconds: 0,
      },
    );
    expect(retried).toMatchObject({ status: 'pending', retryCount: 1 });
  });

  it('fails an orphan whose worker was lost more than MAX_LOST_ATTEMPTS times WORKER_LOST_REPEATEDLY', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ kind: 'noop', maxRetries: 2 });
    const limit = t.config.maxLostAttempts;
    for (let lost = 1; lost <= limit; lost += 1) {
      await expireLease(t, job.id);
      expect((await store.recoverExpiredLeases()).requeued).toEqual([job.id]);
      await store.claim({ workerId: `worker-${lost}`, kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    }
    await expireLease(t, job.id);

    expect(await store.recoverExpiredLeases()).toEqual({ requeued: [], failed: [job.id], cancelled: [] });

    const failed = await mustGet(store, job.id);
    expect(failed).toMatchObject({
      status: 'failed',
      errorCode: 'WORKER_LOST_REPEATEDLY',
      retryCount: 0,
      lostAttempts: limit + 1,
      leaseExpiresAt: null,
    });
    expect(failed.errorMessage).toContain(`lost ${limit + 1} times`);
    expect(failed.completedAt).not.toBeNull();
    const events = await store.listEvents(job.id, FROM_THE_START, 100);
    expect(events.at(-1)).toMatchObject({ type: 'failed', data: { error_code: 'WORKER_LOST_REPEATEDLY' } });
  });

  it('gives a manual retry of a job lost too often a fresh count of lost attempts', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ kind: 'noop' });
    for (let lost = 0; lost <= t.config.maxLostAttempts; lost += 1) {
      if (lost > 0)
        await store.claim({ workerId: `worker-${lost}`, kinds: ['noop'], limit: 1, leaseSeconds: 30 });
      await expireLease(t, job.id);
      await store.recoverExpiredLeases();
    }
    expect(await mustGet(store, job.id)).toMatchObject({
      status: 'failed',
      errorCode: 'WORKER_LOST_REPEATEDLY',
    });
    expect(await store.retry(job.id, { force: false }, ALL_JOBS)).toMatchObject({
      status: 'pending',
      lostAttempts: 0,
    });
  });

  it('ends an orphan whose cancellation was requested cancelled', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ maxRetries: 2 });
    await store.cancel(job.id, 'stop', ALL_JOBS);
    await expireLease(t, job.id);
    const outcome = await store.recoverExpiredLeases();
    expect(outcome).toEqual({ requeued: [], failed: [], cancelled: [job.id] });
    const cancelled = await mustGet(store, job.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', retryCount: 0 });
    expect(cancelled.completedAt).not.toBeNull();
    expect((await eventTypes(store, job.id)).at(-1)).toBe('cancelled');
  });

  it('sorts a mixed sweep into requeued, failed and cancelled', async () => {
    const { t, store, jobs } = ctx();
    const requeue = await jobs.running({ maxRetries: 0 });
    const fail = await jobs.running();
    const cancel = await jobs.running();
    await store.cancel(cancel.job.id, null, ALL_JOBS);
    await t.sql(
      {
        sqlite: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
        postgres: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
      },
      [t.config.maxLostAttempts, fail.job.id],
    );
    for (const { job } of [requeue, fail, cancel]) await expireLease(t, job.id);
    expect(await store.recoverExpiredLeases()).toEqual({
      requeued: [requeue.job.id],
      failed: [fail.job.id],
      cancelled: [cancel.job.id],
    });
  });
});

describe('recovering stale jobs by last heartbeat (admin recover)', () => {
  const ctx = useConformanceDatabase();

  it('re-queues running jobs silent for longer than the timeout, whatever their lease says', async () => {
    const { t, store, jobs } = ctx();
    const silent = await jobs.running({ leaseSeconds: 3600 });
    const recent = await jobs.running({ leaseSeconds: 3600 });
    const pending = await jobs.pending();
    const finished = [await jobs.completed(), await jobs.failed({ maxRetries: 2 })];
    await setLastHeartbeatMinutesAgo(t, silent.job.id, 45);
    await setLastHeartbeatMinutesAgo(t, recent.job.id, 10);
    for (const job of finished) await setLastHeartbeatMinutesAgo(t, job.id, 90);
    const untouched = [recent.job.id, pending.id, ...finished.map((job) => job.id)];
    const before = await snapshot(store, untouched);

    const outcome = await store.recoverStale(30);

    expect(outcome).toEqual({ requeued: [silent.job.id], failed: [], cancelled: [] });
    expect(await recoveryData(store, silent.job.id)).toEqual({
      error_code: 'WORKER_LOST',
      cause: 'heartbeat_stale',
    });
    expect(await mustGet(store, silent.job.id)).toMatchObject({
      status: 'pending',
      retryCount: 0,
      lostAttempts: 1,
      workerId: null,
    });
    expect(await snapshot(store, untouched)).toEqual(before);
    expect(await store.heartbeat([silent.lease], 30)).toEqual([{ jobId: silent.job.id, state: 'lost' }]);
  });

  it('fails a stale job whose worker was lost too often', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ maxRetries: 0, leaseSeconds: 3600 });
    await t.sql(
      {
        sqlite: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
        postgres: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
      },
      [t.config.maxLostAttempts, job.id],
    );
    await setLastHeartbeatMinutesAgo(t, job.id, 31);
    expect(await store.recoverStale(30)).toEqual({ requeued: [], failed: [job.id], cancelled: [] });
    expect(await mustGet(store, job.id)).toMatchObject({
      status: 'failed',
      errorCode: 'WORKER_LOST_REPEATEDLY',
    });
  });

  it('takes a fractional timeout in minutes', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ leaseSeconds: 3600 });
    await setLastHeartbeatMinutesAgo(t, job.id, 1);
    expect(await store.recoverStale(0.5)).toEqual({ requeued: [job.id], failed: [], cancelled: [] });
  });

  it('does not touch a stale job whose lease was just renewed by a heartbeat', async () => {
    const { t, store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await setLastHeartbeatMinutesAgo(t, job.id, 60);
    await store.heartbeat([lease], 30);
    expect(await store.recoverStale(30)).toEqual({ requeued: [], failed: [], cancelled: [] });
    expect((await mustGet(store, job.id)).status).toBe('running');
  });
});

describe('recovering the jobs of workers proven gone', () => {
  const ctx = useConformanceDatabase();

  it("re-queues every running job of the named workers, lease or not, and no other worker's", async () => {
    const { store, jobs } = ctx();
    const dead = [
      await jobs.running({ workerId: 'dead-a', leaseSeconds: 3600 }),
      await jobs.running({ workerId: 'dead-a', leaseSeconds: 3600 }),
      await jobs.running({ workerId: 'dead-b', leaseSeconds: 3600 }),
    ];
    const alive = await jobs.running({ workerId: 'alive', leaseSeconds: 3600 });

    const outcome = await store.recoverJobsOfWorkers(['dead-a', 'dead-b']);

    expect(outcome.requeued.sort()).toEqual(dead.map((d) => d.job.id).sort());
    for (const { job } of dead) {
      expect(await mustGet(store, job.id)).toMatchObject({
        status: 'pending',
        lostAttempts: 1,
        retryCount: 0,
      });
      expect(await recoveryData(store, job.id)).toEqual({ error_code: 'WORKER_LOST', cause: 'worker_gone' });
    }
    expect(await mustGet(store, alive.job.id)).toMatchObject({ status: 'running', workerId: 'alive' });
    expect(await store.recoverJobsOfWorkers([])).toEqual({ requeued: [], failed: [], cancelled: [] });
  });

  it('keeps a record of each worker process by host until it is removed', async () => {
    const { store } = ctx();
    const identity = { pid: 42, startTime: '1234', bootId: 'boot', pidNamespace: 'pid:[1]' };
    await store.registerWorker('w1', { ...identity, hostname: 'host-a' });
    await store.registerWorker('w2', { ...identity, pid: 43, hostname: 'host-a' });
    await store.registerWorker('w3', { ...identity, hostname: 'host-b' });
    await store.registerWorker('w1', { ...identity, pid: 44, hostname: 'host-a' });

    const onA = await store.workersOnHost('host-a');
    expect(onA.sort((x, y) => x.workerId.localeCompare(y.workerId))).toEqual([
      { workerId: 'w1', identity: { ...identity, pid: 44, hostname: 'host-a' } },
      { workerId: 'w2', identity: { ...identity, pid: 43, hostname: 'host-a' } },
    ]);
    await store.unregisterWorkers(['w1', 'w3']);
    expect((await store.workersOnHost('host-a')).map((w) => w.workerId)).toEqual(['w2']);
    expect(await store.workersOnHost('host-b')).toEqual([]);
  });
});
