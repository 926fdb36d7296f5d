import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS, ownedBy } from '../../src/jobs/store.js';
import { DIALECT } from '../support/test-database.js';
import { eventTypes, expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';

describe('cancelling a job', () => {
  const ctx = useConformanceDatabase();

  it('cancels a pending job at once, and it is never claimed', async () => {
    const { store, jobs } = ctx();
    const job = await jobs.pending({ priority: 'urgent' });
    const outcome = await store.cancel(job.id, 'changed my mind', ALL_JOBS);
    expect(outcome.state).toBe('cancelled');
    expect(outcome.job).toMatchObject({ id: job.id, status: 'cancelled', cancelReason: 'changed my mind' });
    expect(outcome.job.completedAt).not.toBeNull();
    expect(await mustGet(store, job.id)).toEqual(outcome.job);
    expect(await store.claim({ workerId: 'w', kinds: ['noop'], limit: 10, leaseSeconds: 30 })).toEqual([]);
    expect(await eventTypes(store, job.id)).toEqual(['created', 'cancelled']);
  });

  it('asks the worker of a running job to stop: still running, its heartbeat says cancel_requested', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    const outcome = await store.cancel(job.id, 'too slow', ALL_JOBS);
    expect(outcome.state).toBe('requested');
    expect(outcome.job).toMatchObject({
      status: 'running',
      cancelReason: 'too slow',
      workerId: lease.workerId,
    });
    expect(outcome.job.cancelRequestedAt).not.toBeNull();
    expect(await store.heartbeat([lease], 30)).toEqual([
      { jobId: job.id, state: 'cancel_requested', reason: 'too slow' },
    ]);
    expect(await eventTypes(store, job.id)).toEqual(['created', 'started', 'cancel_requested']);
  });

  it.runIf(DIALECT === 'sqlite')(
    'tells in-process listeners at once that a running job should stop',
    async () => {
      const { store, jobs } = ctx();
      const { job } = await jobs.running();
      const heard: string[] = [];
      const stop = store.onCancelRequested((id) => heard.push(id));
      await store.cancel(job.id, null, ALL_JOBS);
      expect(heard).toEqual([job.id]);
      stop();
      const other = await jobs.running();
      await store.cancel(other.job.id, null, ALL_JOBS);
      expect(heard).toEqual([job.id]);
    },
  );

  it('ends a running job cancelled once its worker has stopped', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.cancel(job.id, 'too slow', ALL_JOBS);
    const cancelled = await store.markCancelled(lease, 'too slow');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'too slow', leaseExpiresAt: null });
    expect(cancelled.completedAt).not.toBeNull();
    expect(await eventTypes(store, job.id)).toEqual(['created', 'started', 'cancel_requested', 'cancelled']);
    expect(await store.heartbeat([lease], 30)).toEqual([{ jobId: job.id, state: 'lost' }]);
  });

  it('asking twice keeps the first request and its reason', async () => {
    const { store, jobs } = ctx();
    const { job } = await jobs.running();
    const first = await store.cancel(job.id, 'first', ALL_JOBS);
    const second = await store.cancel(job.id, 'second', ALL_JOBS);
    expect(second.state).toBe('requested');
    expect(second.job.cancelReason).toBe('first');
    expect(second.job.cancelRequestedAt).toEqual(first.job.cancelRequestedAt);
  });

  it('leaves a finished job unchanged and says it already finished', async () => {
    const { store, jobs } = ctx();
    for (const job of [
      await jobs.completed(),
      await jobs.failed(),
      await jobs.cancelled(),
      await jobs.timedOut(),
    ]) {
      const outcome = await store.cancel(job.id, 'late', ALL_JOBS);
      expect(outcome.state).toBe('already_finished');
      expect(outcome.job).toEqual(job);
      expect(await mustGet(store, job.id)).toEqual(job);
    }
  });

  it('answers JOB_NOT_FOUND for an unknown or malformed id', async () => {
    const { store } = ctx();
    await expectRejectsWith(store.cancel(randomUUID(), null, ALL_JOBS), 'JOB_NOT_FOUND');
    await expectRejectsWith(store.cancel('not-a-uuid', null, ALL_JOBS), 'JOB_NOT_FOUND');
    await expectRejectsWith(store.cancel("1'; DROP TABLE jobs; --", null, ALL_JOBS), 'JOB_NOT_FOUND');
  });
});

describe('bulk cancel', () => {
  const ctx = useConformanceDatabase();

  it('sorts the ids into cancelled, cancel requested, already finished and not found', async () => {
    const { store, jobs } = ctx();
    const pending = await jobs.pending();
    const { job: running, lease } = await jobs.running();
    const completed = await jobs.completed();
    const unknown = randomUUID();
    const outcome = await store.cancelMany(
      [pending.id, running.id, completed.id, unknown, 'garbage', pending.id],
      'maintenance',
      ALL_JOBS,
    );
    expect(outcome.cancelled).toEqual([pending.id]);
    expect(outcome.cancelRequested).toEqual([running.id]);
    expect(outcome.alreadyFinished).toEqual([completed.id]);
    expect(outcome.notFound.sort()).toEqual([unknown, 'garbage'].sort());
    expect(await mustGet(store, pending.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'maintenance',
    });
    expect(await store.heartbeat([lease], 30)).toEqual([
      { jobId: running.id, state: 'cancel_requested', reason: 'maintenance' },
    ]);
    expect(await mustGet(store, completed.id)).toEqual(completed);
  });

  it("treats another user's jobs as not found and leaves them alone", async () => {
    const { store, jobs } = ctx();
    const mine = await jobs.pending({ userId: 'alice' });
    const theirs = await jobs.pending({ userId: 'bob' });
    const outcome = await store.cancelMany([mine.id, theirs.id], null, ownedBy('alice'));
    expect(outcome).toEqual({
      cancelled: [mine.id],
      cancelRequested: [],
      alreadyFinished: [],
      notFound: [theirs.id],
    });
    expect(await mustGet(store, theirs.id)).toEqual(theirs);
  });
});
