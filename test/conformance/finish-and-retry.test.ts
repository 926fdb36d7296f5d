import { describe, expect, it } from 'vitest';
import { ALL_JOBS, FROM_THE_START, type Failure } from '../../src/jobs/store.js';
import { makeRunnableNow } from '../support/db-fixtures.js';
import {
  eventTypes,
  expectRejectsWith,
  msBetween,
  mustGet,
  useConformanceDatabase,
} from '../support/conformance.js';

const failure = (
  retryAfterSeconds: number | null,
  terminalStatus: Failure['terminalStatus'] = 'failed',
): Failure => ({
  code: terminalStatus === 'timeout' ? 'JOB_TIMEOUT' : 'HANDLER_FAILED',
  message: 'ffmpeg exited with 1',
  details: { exitCode: 1 },
  terminalStatus,
  retryAfterSeconds,
});

describe('progress and completion', () => {
  const ctx = useConformanceDatabase();

  it('records progress with its stage and message, and an event for it', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running();
    await store.reportProgress(lease, { progress: 42, stage: 'tts', message: 'Narrating slide 3' });
    expect(await mustGet(store, lease.jobId)).toMatchObject({
      progress: 42,
      stage: 'tts',
      message: 'Narrating slide 3',
    });
    const events = await store.listEvents(lease.jobId, FROM_THE_START, 10);
    expect(events.at(-1)).toMatchObject({ type: 'progress', progress: 42, stage: 'tts', status: 'running' });
  });

  it('completes a job: completed, progress 100, result stored, processing time measured', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running();
    const done = await store.complete(lease, { video: 'out.mp4', slides: 7 });
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { video: 'out.mp4', slides: 7 },
    });
    expect(done.completedAt).not.toBeNull();
    expect(done.processingTimeSeconds).toBeGreaterThanOrEqual(0);
    expect(done.processingTimeSeconds).toBeLessThan(60);
    expect(done.leaseExpiresAt).toBeNull();
    expect(await mustGet(store, lease.jobId)).toEqual(done);
    const events = await store.listEvents(lease.jobId, FROM_THE_START, 10);
    expect(events.map((event) => event.type)).toEqual(['created', 'started', 'completed']);
    expect(events[2]).toMatchObject({
      at: done.completedAt,
      status: 'completed',
      progress: 100,
      message: 'Completed',
      attempt: lease.attempt,
      workerId: lease.workerId,
    });
  });

  it('completes a batch: each held lease gets its result and its events, a lost one is refused alone', async () => {
    const { store, jobs } = ctx();
    const kind = 'noop';
    await jobs.pendingMany(3, { kind });
    const claimed = await store.claim({ workerId: 'worker-b', kinds: [kind], limit: 3, leaseSeconds: 30 });
    expect(claimed).toHaveLength(3);
    const [first, second, third] = claimed.map((job) => ({
      jobId: job.id,
      attempt: job.attempt,
      workerId: 'worker-b',
    }));
    const held = await store.completeMany([
      { lease: third!, result: { n: 3 } },
      { lease: { ...second!, attempt: 2 }, result: { n: 2 } },
      { lease: first!, result: { n: 1 } },
    ]);
    expect(held).toEqual([true, false, true]);
    expect(await mustGet(store, first!.jobId)).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { n: 1 },
    });
    expect(await mustGet(store, second!.jobId)).toMatchObject({ status: 'running', result: null });
    expect(await mustGet(store, third!.jobId)).toMatchObject({ status: 'completed', result: { n: 3 } });
    for (const lease of [first!, second!, third!]) {
      const events = await store.listEvents(lease.jobId, FROM_THE_START, 10);
      const expected = lease === second ? ['created', 'started'] : ['created', 'started', 'completed'];
      expect(events.map((event) => event.type)).toEqual(expected);
      expect(events[1]).toMatchObject({ status: 'running', progress: 0, attempt: 1, workerId: 'worker-b' });
      if (lease !== second) {
        expect(events[2]).toMatchObject({
          at: (await mustGet(store, lease.jobId)).completedAt,
          status: 'completed',
          progress: 100,
          message: 'Completed',
          attempt: 1,
          workerId: 'worker-b',
          data: null,
        });
      }
    }
  });
});

describe('failing an attempt', () => {
  const ctx = useConformanceDatabase();

  it('re-queues a job with a retry left: pending, retry_count + 1, run_at = now + delay', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running({ maxRetries: 2 });
    const retried = await store.fail(lease, failure(15));
    expect(retried).toMatchObject({
      status: 'pending',
      retryCount: 1,
      workerId: null,
      leaseExpiresAt: null,
      errorCode: 'HANDLER_FAILED',
      errorMessage: 'ffmpeg exited with 1',
      errorDetails: { exitCode: 1 },
      completedAt: null,
    });
    expect(msBetween(retried.runAt, new Date(retried.updatedAt.getTime() + 15_000))).toBeLessThan(1000);
    expect(await eventTypes(store, lease.jobId)).toEqual(['created', 'started', 'retry_scheduled']);
  });

  it('does not run the retry before its delay, and runs it once due with the next attempt', async () => {
    const { t, store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.fail(lease, failure(60));
    const claim = { workerId: 'worker-b', kinds: [job.kind], limit: 1, leaseSeconds: 30 };
    expect(await store.claim(claim)).toEqual([]);
    await makeRunnableNow(t, job.id);
    const [again] = await store.claim(claim);
    expect(again).toMatchObject({ id: job.id, attempt: 2, retryCount: 1, workerId: 'worker-b' });
  });

  it('can retry at once with a zero delay', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.fail(lease, failure(0));
    expect(await store.claim({ workerId: 'w', kinds: [job.kind], limit: 1, leaseSeconds: 30 })).toHaveLength(
      1,
    );
  });

  it('ends a job failed when no retry is asked for', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running();
    const failed = await store.fail(lease, failure(null));
    expect(failed).toMatchObject({
      status: 'failed',
      retryCount: 0,
      errorCode: 'HANDLER_FAILED',
      leaseExpiresAt: null,
    });
    expect(failed.completedAt).not.toBeNull();
    const events = await store.listEvents(lease.jobId, FROM_THE_START, 10);
    expect(events.map((e) => e.type)).toEqual(['created', 'started', 'failed']);
    expect(events[2]).toMatchObject({ status: 'failed' });
  });

  it("keeps each attempt's worker, error code and message in the event log (the job page's attempts)", async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running({ workerId: 'worker-a' });
    await store.fail(lease, { ...failure(0), code: 'FIRST_CODE', message: 'first message' });
    const [again] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(again?.id).toBe(job.id);
    await store.fail(
      { jobId: job.id, attempt: again!.attempt, workerId: 'worker-b' },
      { ...failure(null), code: 'SECOND_CODE', message: 'second message' },
    );
    const events = await store.listEvents(job.id, FROM_THE_START, 10);
    const attempts = events
      .filter((e) => e.type !== 'created')
      .map((e) => [e.type, e.attempt, e.type === 'started' ? e.workerId : e.data]);
    expect(attempts).toEqual([
      ['started', 1, 'worker-a'],
      [
        'retry_scheduled',
        1,
        expect.objectContaining({ error_code: 'FIRST_CODE', error_message: 'first message' }),
      ],
      ['started', 2, 'worker-b'],
      ['failed', 2, { error_code: 'SECOND_CODE', error_message: 'second message' }],
    ]);
  });

  it('ends a job timeout when its terminal status is timeout', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running();
    const timedOut = await store.fail(lease, failure(null, 'timeout'));
    expect(timedOut).toMatchObject({ status: 'timeout', errorCode: 'JOB_TIMEOUT' });
    expect(timedOut.completedAt).not.toBeNull();
    expect(await eventTypes(store, lease.jobId)).toEqual(['created', 'started', 'timeout']);
  });

  it('a job asked to cancel is not re-queued when its attempt then fails', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running({ maxRetries: 2 });
    await store.cancel(job.id, 'user asked', ALL_JOBS);
    await store.fail(lease, failure(0));
    expect(
      await store.claim({ workerId: 'worker-b', kinds: [job.kind], limit: 1, leaseSeconds: 30 }),
    ).toEqual([]);
    expect((await mustGet(store, job.id)).status).toBe('cancelled');
  });

  it('a finished job is never claimed again', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed();
    const completed = await jobs.completed();
    const timedOut = await jobs.timedOut();
    const kinds = [failed.kind, completed.kind, timedOut.kind];
    expect(await store.claim({ workerId: 'w', kinds, limit: 10, leaseSeconds: 30 })).toEqual([]);
  });
});

describe('manual retry', () => {
  const ctx = useConformanceDatabase();

  it('re-queues a failed job that has retries left', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed({ maxRetries: 2 });
    const retried = await store.retry(failed.id, { force: false }, ALL_JOBS);
    expect(retried).toMatchObject({
      status: 'pending',
      completedAt: null,
      errorCode: null,
      workerId: null,
      progress: 0,
    });
    expect(await eventTypes(store, failed.id)).toEqual(['created', 'started', 'failed', 'retried']);
    expect(
      await store.claim({ workerId: 'w', kinds: [failed.kind], limit: 1, leaseSeconds: 30 }),
    ).toHaveLength(1);
  });

  it('re-queues a timed-out or cancelled job too', async () => {
    const { store, jobs } = ctx();
    const timedOut = await jobs.timedOut();
    const cancelled = await jobs.cancelled();
    expect((await store.retry(timedOut.id, { force: false }, ALL_JOBS)).status).toBe('pending');
    expect((await store.retry(cancelled.id, { force: false }, ALL_JOBS)).status).toBe('pending');
  });

  it('refuses a job out of retries with RETRY_LIMIT_REACHED, unless forced', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed({ maxRetries: 0 });
    await expectRejectsWith(store.retry(failed.id, { force: false }, ALL_JOBS), 'RETRY_LIMIT_REACHED');
    expect(await mustGet(store, failed.id)).toEqual(failed);
    expect((await store.retry(failed.id, { force: true }, ALL_JOBS)).status).toBe('pending');
  });

  it('refuses pending, running and completed jobs with JOB_NOT_RETRYABLE, even forced', async () => {
    const { store, jobs } = ctx();
    const pending = await jobs.pending();
    const { job: running } = await jobs.running();
    const completed = await jobs.completed();
    for (const job of [pending, running, completed]) {
      const before = await mustGet(store, job.id);
      await expectRejectsWith(store.retry(job.id, { force: false }, ALL_JOBS), 'JOB_NOT_RETRYABLE');
      await expectRejectsWith(store.retry(job.id, { force: true }, ALL_JOBS), 'JOB_NOT_RETRYABLE');
      expect(await mustGet(store, job.id)).toEqual(before);
    }
  });
});

describe('release on shutdown', () => {
  const ctx = useConformanceDatabase();

  it('gives a running job back to the queue without using a retry', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running({ maxRetries: 2 });
    expect(await store.release([lease])).toEqual([job.id]);
    const released = await mustGet(store, job.id);
    expect(released).toMatchObject({
      status: 'pending',
      retryCount: 0,
      workerId: null,
      leaseExpiresAt: null,
    });
    expect(await eventTypes(store, job.id)).toEqual(['created', 'started', 'released']);
    const [again] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(again).toMatchObject({ id: job.id, attempt: 2, retryCount: 0, workerId: 'worker-b' });
  });

  it('a released job keeps its place in line ahead of newer jobs', async () => {
    const { store, jobs } = ctx();
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const { job, lease } = await jobs.running({ kind: 'noop', runAt: hoursAgo(2) });
    const newer = await jobs.pending({ runAt: hoursAgo(1) });
    await store.release([lease]);
    const claimed = await store.claim({ workerId: 'worker-b', kinds: ['noop'], limit: 2, leaseSeconds: 30 });
    expect(claimed.map((j) => j.id)).toEqual([job.id, newer.id]);
  });

  it('releases only the leases still held', async () => {
    const { store, jobs } = ctx();
    const kept = await jobs.running();
    const finished = await jobs.running();
    await store.complete(finished.lease, {});
    expect(await store.release([kept.lease, finished.lease])).toEqual([kept.job.id]);
    expect((await mustGet(store, finished.job.id)).status).toBe('completed');
  });

  it('a released job whose cancellation was requested ends cancelled instead of running again', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.cancel(job.id, 'user asked', ALL_JOBS);
    await store.release([lease]);
    expect(
      await store.claim({ workerId: 'worker-b', kinds: [job.kind], limit: 1, leaseSeconds: 30 }),
    ).toEqual([]);
    expect((await mustGet(store, job.id)).status).toBe('cancelled');
  });
});
