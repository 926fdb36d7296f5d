/**
 * A handler's context (`RunningJobContext`) against a real store: its progress writes are throttled
 * per stage (a report with data never is, and its data is kept in the event), and a progress write
 * refused for a lost lease aborts the job.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobAbort } from '../../src/jobs/job-abort.js';
import { PROGRESS_INTERVAL_MS, RunningJobContext } from '../../src/jobs/job-context.js';
import { leaseOf } from '../../src/jobs/model.js';
import { FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { expectRejectsWith, useConformanceDatabase } from '../support/conformance.js';
import { expireLease } from '../support/db-fixtures.js';

const progressMessages = async (store: JobStore, jobId: string): Promise<(string | null)[]> =>
  (await store.listEvents(jobId, FROM_THE_START, 100))
    .filter((event) => event.type === 'progress')
    .map((event) => event.message);

describe('a handler’s context', () => {
  const ctx = useConformanceDatabase();
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a stage’s progress at most every PROGRESS_INTERVAL_MS, unless the stage changes or it reaches 100', async () => {
    const { store, jobs } = ctx();
    vi.useFakeTimers({ toFake: ['Date'] });
    const { job, lease } = await jobs.running();
    const context = new RunningJobContext(job, lease, new JobAbort(), (l, u) => store.reportProgress(l, u));
    expect(context.payload).toBe(job.payload);

    await context.progress('slides', 10, 'first');
    await context.progress('slides', 20, 'too soon');
    vi.setSystemTime(Date.now() + PROGRESS_INTERVAL_MS);
    await context.progress('slides', 30, 'after the interval');
    await context.progress('speech', 40, 'new stage');
    // Taken out of the context, as handlers do (`async run({ progress })`).
    const { progress } = context;
    await progress('speech', 100, 'done');

    expect(await progressMessages(store, job.id)).toEqual([
      'first',
      'after the interval',
      'new stage',
      'done',
    ]);
  });

  it('writes a report with data even within the interval, and keeps the data in its progress event', async () => {
    const { store, jobs } = ctx();
    vi.useFakeTimers({ toFake: ['Date'] });
    const { job, lease } = await jobs.running();
    const context = new RunningJobContext(job, lease, new JobAbort(), (l, u) => store.reportProgress(l, u));
    const data = { code: 'LLM_POLISH_FAILED', kept_original: [{ slide: 2, reason: 'TIMEOUT' }] };

    await context.progress('polish', 3, 'Polishing');
    await context.progress('polish', 4, 'slide 2 kept its text', data);
    await context.progress('polish', 5, 'too soon');

    const events = (await store.listEvents(job.id, FROM_THE_START, 100)).filter(
      (event) => event.type === 'progress',
    );
    expect(events.map((event) => [event.stage, event.progress, event.message, event.data])).toEqual([
      ['polish', 3, 'Polishing', null],
      ['polish', 4, 'slide 2 kept its text', data],
    ]);
  });

  it('aborts the job with LEASE_LOST when a progress write finds the lease gone, and refuses later ones', async () => {
    const { t, store, jobs } = ctx();
    const { job, lease } = await jobs.running({ workerId: 'worker-a' });
    const abort = new JobAbort();
    let aborted = 0;
    abort.onAbort(() => (aborted += 1));
    const context = new RunningJobContext(job, lease, abort, (l, u) => store.reportProgress(l, u));
    const { signal } = context;
    await expireLease(t, job.id);
    await store.recoverExpiredLeases();
    const [taken] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(leaseOf(taken!).workerId).toBe('worker-b');

    await expectRejectsWith(context.progress('slides', 10), 'LEASE_LOST');
    expect(aborted).toBe(1);
    expect(signal.aborted).toBe(true);
    expect(abort.reason?.code).toBe('LEASE_LOST');
    expect(abort.reason?.details).toEqual({ jobId: job.id });
    await expectRejectsWith(context.progress('slides', 20), 'LEASE_LOST');
    expect(await progressMessages(store, job.id)).toEqual([]);
  });
});
