import { describe, expect, it } from 'vitest';
import type { Job, Lease } from '../../src/jobs/model.js';
import { ALL_JOBS, type Failure, type JobStore } from '../../src/jobs/store.js';
import type { RunningJob } from '../support/job-factory.js';
import { expireLease } from '../support/db-fixtures.js';
import type { TestDatabase } from '../support/test-database.js';
import { eventCount, expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';

const retryable: Failure = {
  code: 'HANDLER_FAILED',
  message: 'stale worker failed',
  details: null,
  terminalStatus: 'failed',
  retryAfterSeconds: 0,
};
const terminal: Failure = { ...retryable, retryAfterSeconds: null };

interface Takeover {
  staleLease: Lease;
  current: Job;
}

/** Worker A's lease lapses, the sweep re-queues the job, and worker B claims it. */
async function takeOver(t: TestDatabase, store: JobStore, running: RunningJob): Promise<Takeover> {
  await expireLease(t, running.job.id);
  expect((await store.recoverExpiredLeases()).requeued).toEqual([running.job.id]);
  const [current] = await store.claim({
    workerId: 'worker-b',
    kinds: [running.job.kind],
    limit: 1,
    leaseSeconds: 30,
  });
  expect(current).toMatchObject({
    id: running.job.id,
    workerId: 'worker-b',
    attempt: running.lease.attempt + 1,
  });
  return { staleLease: running.lease, current: current! };
}

describe('fencing: a worker that lost its lease changes nothing', () => {
  const ctx = useConformanceDatabase();

  /** Runs a stale write and checks it is refused with LEASE_LOST and leaves row and events as they were. */
  async function expectRefused(takeover: Takeover, write: (lease: Lease) => Promise<unknown>): Promise<void> {
    const { t, store } = ctx();
    const before = await mustGet(store, takeover.current.id);
    const eventsBefore = await eventCount(t, takeover.current.id);
    await expectRejectsWith(write(takeover.staleLease), 'LEASE_LOST');
    expect(await mustGet(store, takeover.current.id)).toEqual(before);
    expect(await eventCount(t, takeover.current.id)).toBe(eventsBefore);
  }

  it('a worker that lost its lease cannot heartbeat the job', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    const before = await mustGet(store, takeover.current.id);
    expect(await store.heartbeat([takeover.staleLease], 300)).toEqual([{ jobId: before.id, state: 'lost' }]);
    expect(await mustGet(store, before.id)).toEqual(before);
  });

  it('a worker that lost its lease cannot report progress', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    await expectRefused(takeover, (lease) =>
      store.reportProgress(lease, { progress: 80, stage: 'render', message: 'stale' }),
    );
  });

  it('a worker that lost its lease cannot complete the job', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    await expectRefused(takeover, (lease) => store.complete(lease, { video: 'stale.mp4' }));
  });

  it('a worker that lost its lease cannot fail the job, with or without a retry', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    await expectRefused(takeover, (lease) => store.fail(lease, retryable));
    await expectRefused(takeover, (lease) => store.fail(lease, terminal));
    await expectRefused(takeover, (lease) => store.fail(lease, { ...terminal, terminalStatus: 'timeout' }));
  });

  it('a worker that lost its lease cannot mark the job cancelled', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    await store.cancel(takeover.current.id, 'stop', ALL_JOBS);
    await expectRefused(takeover, (lease) => store.markCancelled(lease, 'stop'));
  });

  it('a worker that lost its lease cannot release the job', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    const before = await mustGet(store, takeover.current.id);
    expect(await store.release([takeover.staleLease])).toEqual([]);
    expect(await mustGet(store, before.id)).toEqual(before);
  });

  it('the same worker holding an older attempt is refused too', async () => {
    const { t, store, jobs } = ctx();
    const first = await jobs.running();
    await expireLease(t, first.job.id);
    await store.recoverExpiredLeases();
    const [again] = await store.claim({
      workerId: first.lease.workerId,
      kinds: [first.job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(again!.attempt).toBe(first.lease.attempt + 1);
    await expectRefused({ staleLease: first.lease, current: again! }, (lease) => store.complete(lease, {}));
  });

  it('a write with another worker id is refused even on the current attempt', async () => {
    const { store, jobs } = ctx();
    const running = await jobs.running();
    const impostor = { ...running.lease, workerId: 'worker-x' };
    await expectRefused({ staleLease: impostor, current: running.job }, (lease) => store.complete(lease, {}));
  });

  it('a write after the job has finished is refused and does not reopen it', async () => {
    const { store, jobs } = ctx();
    const running = await jobs.running();
    const done = await store.complete(running.lease, { n: 1 });
    await expectRefused({ staleLease: running.lease, current: done }, (lease) =>
      store.complete(lease, { n: 2 }),
    );
    await expectRefused({ staleLease: running.lease, current: done }, (lease) =>
      store.fail(lease, retryable),
    );
  });

  it('the worker that holds the lease now can still finish the job', async () => {
    const { t, store, jobs } = ctx();
    const takeover = await takeOver(t, store, await jobs.running());
    await expectRejectsWith(store.complete(takeover.staleLease, { by: 'a' }), 'LEASE_LOST');
    const done = await store.complete(
      { jobId: takeover.current.id, attempt: takeover.current.attempt, workerId: 'worker-b' },
      { by: 'b' },
    );
    expect(done).toMatchObject({ status: 'completed', result: { by: 'b' }, workerId: 'worker-b' });
  });
});
