/**
 * A job's `timeout_seconds` bounds its attempt as a whole (migration 0036): the claim sets the
 * attempt's deadline from its first run, a job that waits for jobs it started keeps it across the
 * wait, and `timeOutWaiting` ends a waiting job whose deadline passed, on whichever node sweeps
 * first. A new attempt (a retry) starts a fresh deadline. Run on both databases.
 */
import { describe, expect, it } from 'vitest';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { dbNow, eventTypes, mustGet, useConformanceDatabase } from '../support/conformance.js';
import { idleWorker } from '../support/idle-worker.js';
import { stubKind, type JobFactory } from '../support/job-factory.js';
import { waitFor } from '../support/wait.js';

const claimKind = (store: JobStore, kind: string, workerId = 'worker-deadline') =>
  store.claim({ workerId, kinds: [kind], limit: 10, leaseSeconds: 30 });

/** A running job of kind `owner-…` (timing out after `timeoutSeconds`) and one pending piece it started. */
async function ownerWithPiece(
  jobs: JobFactory,
  store: JobStore,
  name: string,
  timeoutSeconds: number,
): Promise<{ owner: Job; piece: Job }> {
  jobs.kinds.register(stubKind(`owner-${name}`));
  jobs.kinds.register(stubKind(`piece-${name}`));
  await store.enqueue(jobs.resolve({ kind: `owner-${name}`, timeoutSeconds, maxRetries: 2 }));
  const [owner] = await claimKind(store, `owner-${name}`);
  const { job: piece } = await store.enqueue(jobs.resolve({ kind: `piece-${name}` }));
  return { owner: owner as Job, piece };
}

const msBetween = (from: Date | null, to: Date | null): number =>
  (to?.getTime() ?? Number.NaN) - (from?.getTime() ?? Number.NaN);

describe('the attempt’s deadline', () => {
  const ctx = useConformanceDatabase();

  it('is set by the first run, kept by a job claimed again after waiting, and fresh after a retry', async () => {
    const { store, jobs } = ctx();
    const { owner, piece } = await ownerWithPiece(jobs, store, 'a', 60);
    expect(msBetween(owner.startedAt, owner.deadlineAt)).toBe(60_000);

    const parked = await store.waitForJobs(leaseOf(owner), [piece.id], 'waiting');
    expect(parked.deadlineAt).toEqual(owner.deadlineAt);
    const [running] = await claimKind(store, 'piece-a');
    await store.complete(leaseOf(running as Job), {});
    const [again] = await claimKind(store, 'owner-a');
    expect(again?.id).toBe(owner.id);
    // The run after the wait has what is left of the attempt's time, not a whole timeout.
    expect(again?.deadlineAt).toEqual(owner.deadlineAt);
    expect(msBetween(again?.startedAt ?? null, again?.deadlineAt ?? null)).toBeLessThan(60_000);

    const retried = await store.fail(leaseOf(again as Job), {
      code: 'HANDLER_FAILED',
      message: 'try again',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 0,
    });
    expect(retried).toMatchObject({ status: 'pending', deadlineAt: null });
    const [next] = await claimKind(store, 'owner-a');
    expect(msBetween(next?.startedAt ?? null, next?.deadlineAt ?? null)).toBe(60_000);
  });

  it('gives the run after the wait what is left of the deadline, not a whole timeout', async () => {
    const { t, store, jobs } = ctx();
    jobs.kinds.register(stubKind('piece-w'));
    const { job: piece } = await store.enqueue(jobs.resolve({ kind: 'piece-w' }));
    jobs.kinds.register({
      name: 'owner-w',
      parsePayload: () => ({}),
      async run(context) {
        // First run: wait for the piece. The run after the wait: work until stopped.
        if (context.job.attempt === 1) throw context.waitFor([piece.id], 'waiting for the piece');
        await new Promise((_, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason as Error)),
        );
      },
    });
    const { job } = await store.enqueue(jobs.resolve({ kind: 'owner-w', timeoutSeconds: 4, maxRetries: 0 }));
    const worker = idleWorker(store, jobs.kinds, { kinds: ['owner-w'], pollIntervalMs: 100 });
    worker.start();
    try {
      const parked = await waitFor(
        async () => {
          const now = await mustGet(store, job.id);
          return now.status === 'waiting' ? now : null;
        },
        { timeoutMs: 10_000, what: 'the job to wait for its piece' },
      );
      // Four seconds from its first run's start (database clock).
      const deadline = new Date((parked.startedAt as Date).getTime() + 4000);
      // Three of its four seconds go by while it waits; then the piece completes.
      await waitFor(async () => (await dbNow(t)).getTime() >= deadline.getTime() - 1000, {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: 'three seconds of waiting',
      });
      const [running] = await claimKind(store, 'piece-w');
      await store.complete(leaseOf(running as Job), {});
      const ended = await waitFor(
        async () => {
          const now = await mustGet(store, job.id);
          return now.status === 'timeout' ? now : null;
        },
        { timeoutMs: 15_000, intervalMs: 50, what: 'the run after the wait to time out' },
      );
      expect(ended.errorCode).toBe('JOB_TIMEOUT');
      expect(ended.attempt).toBe(2);
      // Ended about when the deadline passed; a whole timeout for the second run would end it 3 s later.
      expect(msBetween(deadline, ended.completedAt)).toBeLessThan(1500);
      expect(ended.errorMessage).toContain('counted from its first run');
      expect(parked.deadlineAt).toEqual(deadline);
    } finally {
      await worker.stop(0);
    }
  });

  it('ends a waiting job whose deadline passed: timeout, JOB_TIMEOUT, once, with its event', async () => {
    const { store, jobs } = ctx();
    const late = await ownerWithPiece(jobs, store, 'b', 1);
    const inTime = await ownerWithPiece(jobs, store, 'c', 600);
    await store.waitForJobs(leaseOf(late.owner), [late.piece.id], 'waiting');
    await store.waitForJobs(leaseOf(inTime.owner), [inTime.piece.id], 'waiting');

    const ended = await waitFor(
      async () => {
        const jobs_ = await store.timeOutWaiting();
        return jobs_.length > 0 ? jobs_ : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the waiting job to time out' },
    );
    expect(ended.map((job) => job.id)).toEqual([late.owner.id]);
    const timedOut = await mustGet(store, late.owner.id);
    expect(timedOut).toMatchObject({ status: 'timeout', errorCode: 'JOB_TIMEOUT', retryCount: 0 });
    expect(timedOut.errorDetails).toMatchObject({ timeout_seconds: 1 });
    expect(timedOut.completedAt).not.toBeNull();
    expect(await eventTypes(store, late.owner.id)).toEqual(['created', 'started', 'waiting', 'timeout']);
    expect((await mustGet(store, inTime.owner.id)).status).toBe('waiting');
    expect(await store.timeOutWaiting()).toEqual([]);

    // The piece it waited for ending later leaves it as it is.
    const [piece] = await claimKind(store, 'piece-b');
    await store.complete(leaseOf(piece as Job), {});
    expect((await mustGet(store, late.owner.id)).status).toBe('timeout');
    expect((await store.dependencies(late.owner.id, ALL_JOBS))?.parentIds).toEqual([late.piece.id]);
  });
});
