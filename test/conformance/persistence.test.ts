import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/open-database.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { JobFactory } from '../support/job-factory.js';
import { useConformanceDatabase } from '../support/conformance.js';

describe('restart persistence', () => {
  const ctx = useConformanceDatabase();

  it('closing a database twice, or twice at once, is harmless (shutdown handlers may race)', async () => {
    const { t } = ctx();
    const handle = await openDatabase(loadConfig({}, { ...t.env, LOG_LEVEL: 'silent' }));
    await handle.jobs.get('00000000-0000-4000-8000-000000000000', ALL_JOBS);
    await expect(Promise.all([handle.close(), handle.close()])).resolves.toBeDefined();
    await expect(handle.close()).resolves.toBeUndefined();
  });

  it('jobs in every state are there, unchanged, after the database is closed and opened again', async () => {
    const { t } = ctx();
    const settings = { ...t.env, LOG_LEVEL: 'silent' as const };
    // A handle of its own, closed by this test (as a process stopping), not by the suite's clean-up.
    const first = await openDatabase(loadConfig({}, settings));
    onTestFinished(async () => {
      if (!closed) await first.close();
    });
    let closed = false;
    const jobs = new JobFactory(first.jobs, t.config);
    const before: Job[] = [
      await jobs.pending({ priority: 'urgent', userId: 'alice', idempotencyKey: 'k1', payload: { n: 1 } }),
      (await jobs.running({ workerId: 'worker-x' })).job,
      await jobs.completed({ result: { video: 'v.mp4' } }),
      await jobs.failed(),
      await jobs.timedOut(),
      await jobs.cancelled({ reason: 'nope' }),
    ];
    const running = before[1]!;
    await first.jobs.reportProgress(
      { jobId: running.id, attempt: running.attempt, workerId: 'worker-x' },
      { progress: 55, stage: 'render', message: 'Halfway' },
    );
    const saved = await Promise.all(before.map((job) => first.jobs.get(job.id, ALL_JOBS)));
    const savedEvents = await Promise.all(
      before.map((job) => first.jobs.listEvents(job.id, FROM_THE_START, 100)),
    );
    await first.close();
    closed = true;

    const second = await t.reopen();
    const after = await Promise.all(before.map((job) => second.jobs.get(job.id, ALL_JOBS)));
    expect(after).toEqual(saved);
    expect(after.map((job) => job?.status)).toEqual([
      'pending',
      'running',
      'completed',
      'failed',
      'timeout',
      'cancelled',
    ]);
    expect(after[1]).toMatchObject({ progress: 55, stage: 'render', workerId: 'worker-x' });
    expect(
      await Promise.all(before.map((job) => second.jobs.listEvents(job.id, FROM_THE_START, 100))),
    ).toEqual(savedEvents);

    const again = await second.jobs.enqueue(
      jobs.resolve({ kind: 'noop', userId: 'alice', idempotencyKey: 'k1' }),
    );
    expect(again).toMatchObject({ created: false, job: { id: before[0]!.id } });
    const [claimed] = await second.jobs.claim({
      workerId: 'worker-y',
      kinds: ['noop'],
      limit: 5,
      leaseSeconds: 30,
    });
    expect(claimed?.id).toBe(before[0]!.id);
  });
});
