/**
 * A running job hands its worker back to wait for jobs it started (`JobStore.waitForJobs`, the
 * split render's park): fenced on its lease, no attempt used up, pending again once they have all
 * ended, whichever way they ended. Run on both databases.
 */
import { describe, expect, it } from 'vitest';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { eventTypes, expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';
import { stubKind, type JobFactory } from '../support/job-factory.js';

const claimKind = (store: JobStore, kind: string, workerId = 'worker-wait') =>
  store.claim({ workerId, kinds: [kind], limit: 10, leaseSeconds: 30 });

/** A running job of kind `owner-…` and `count` pending jobs of kind `piece-…` it started. */
async function ownerWithPieces(
  jobs: JobFactory,
  store: JobStore,
  name: string,
  count: number,
): Promise<{ owner: Job; pieces: Job[] }> {
  jobs.kinds.register(stubKind(`owner-${name}`));
  jobs.kinds.register(stubKind(`piece-${name}`));
  await store.enqueue(jobs.resolve({ kind: `owner-${name}` }));
  const [owner] = await claimKind(store, `owner-${name}`);
  const pieces: Job[] = [];
  for (let i = 0; i < count; i++) {
    pieces.push((await store.enqueue(jobs.resolve({ kind: `piece-${name}` }))).job);
  }
  return { owner: owner as Job, pieces };
}

describe('a running job waits for the jobs it started', () => {
  const ctx = useConformanceDatabase();

  it('is waiting, holds no lease and no worker, and is never claimed until the last one completes', async () => {
    const { store, jobs } = ctx();
    const { owner, pieces } = await ownerWithPieces(jobs, store, 'a', 2);
    const parked = await store.waitForJobs(
      leaseOf(owner),
      pieces.map((p) => p.id),
      'Rendering 2 segments',
    );
    expect(parked).toMatchObject({ status: 'waiting', workerId: null, message: 'Rendering 2 segments' });
    expect(parked.retryCount).toBe(owner.retryCount);
    expect(await claimKind(store, 'owner-a')).toEqual([]);

    const [first, second] = await claimKind(store, 'piece-a', 'worker-2');
    await store.complete(leaseOf(first as Job), { n: 1 });
    expect((await mustGet(store, owner.id)).status).toBe('waiting');
    await store.complete(leaseOf(second as Job), { n: 2 });
    const [again] = await claimKind(store, 'owner-a');
    expect(again?.id).toBe(owner.id);
    expect(again?.retryCount).toBe(owner.retryCount);
    expect(await eventTypes(store, owner.id)).toEqual(['created', 'started', 'waiting', 'ready', 'started']);
  });

  it('keeps the bar its pieces moved when it is claimed again: its progress never goes back', async () => {
    const { store, jobs } = ctx();
    const { owner, pieces } = await ownerWithPieces(jobs, store, 'e', 1);
    await store.reportProgress(leaseOf(owner), { progress: 15, stage: 'plan', message: 'Planned' });
    await store.waitForJobs(leaseOf(owner), [pieces[0]?.id as string], 'waiting');
    const [piece] = await claimKind(store, 'piece-e');
    expect(await store.reportWaitingProgress(owner.id, { progress: 85, stage: 'encode', message: 'x' })).toBe(
      true,
    );
    await store.complete(leaseOf(piece as Job), {});
    const [again] = await claimKind(store, 'owner-e');
    expect(again?.progress).toBe(85);
    const bar = (await store.listEvents(owner.id, FROM_THE_START, 100)).map((event) => event.progress);
    expect(bar).toEqual([...bar].sort((a, b) => a - b));
    expect(bar.at(-1)).toBe(85);
  });

  it('a piece that fails settles it too (rule run): its handler reads the outcome', async () => {
    const { store, jobs } = ctx();
    const { owner, pieces } = await ownerWithPieces(jobs, store, 'b', 1);
    await store.waitForJobs(leaseOf(owner), [pieces[0]?.id as string], 'waiting');
    const [piece] = await claimKind(store, 'piece-b');
    await store.fail(leaseOf(piece as Job), {
      code: 'HANDLER_FAILED',
      message: 'no',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: null,
    });
    expect((await mustGet(store, owner.id)).status).toBe('pending');
  });

  it('is pending at once when every piece has already ended', async () => {
    const { store, jobs } = ctx();
    const { owner, pieces } = await ownerWithPieces(jobs, store, 'c', 1);
    const [piece] = await claimKind(store, 'piece-c');
    await store.complete(leaseOf(piece as Job), {});
    const parked = await store.waitForJobs(leaseOf(owner), [pieces[0]?.id as string], 'waiting');
    expect(parked.status).toBe('pending');
    expect((await claimKind(store, 'owner-c')).map((job) => job.id)).toEqual([owner.id]);
  });

  it('a worker that lost its lease cannot park the job, and writes nothing', async () => {
    const { store, jobs } = ctx();
    const { owner, pieces } = await ownerWithPieces(jobs, store, 'd', 1);
    await expectRejectsWith(
      store.waitForJobs({ ...leaseOf(owner), workerId: 'someone-else' }, [pieces[0]?.id as string], 'x'),
      'LEASE_LOST',
    );
    expect((await mustGet(store, owner.id)).status).toBe('running');
    expect((await store.dependencies(owner.id, { all: true }))?.parentIds).toEqual([]);
  });
});
