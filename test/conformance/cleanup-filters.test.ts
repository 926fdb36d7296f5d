/**
 * Cleanup by status and age: seed 004 deletes old failed jobs and keeps completed videos; seed 002
 * deletes by `created_at` in days. Only finished jobs are ever deleted.
 */
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { setCreatedHoursAgo, setFinishedHoursAgo } from '../support/db-fixtures.js';
import { mustGet, rejectionOf, useConformanceDatabase } from '../support/conformance.js';

describe('cleanup filters', () => {
  const ctx = useConformanceDatabase();

  it('a status filter deletes only old jobs of those statuses: completed videos are kept', async () => {
    const { t, store, jobs } = ctx();
    const failed = await jobs.failed();
    const timedOut = await jobs.timedOut();
    const completed = await jobs.completed();
    const cancelled = await jobs.cancelled();
    for (const job of [failed, timedOut, completed, cancelled]) await setFinishedHoursAgo(t, job.id, 48);

    expect(await store.cleanup(24, ALL_JOBS, { statuses: ['failed', 'timeout'] })).toBe(2);

    expect(await store.get(failed.id, ALL_JOBS)).toBeNull();
    expect(await store.get(timedOut.id, ALL_JOBS)).toBeNull();
    expect((await mustGet(store, completed.id)).status).toBe('completed');
    expect((await mustGet(store, cancelled.id)).status).toBe('cancelled');
  });

  it('ages from created_at when asked (seed 002), still deleting finished jobs only', async () => {
    const { t, store, jobs } = ctx();
    const oldCreated = await jobs.completed();
    const oldPending = await jobs.pending();
    await setCreatedHoursAgo(t, oldCreated.id, 8 * 24);
    await setCreatedHoursAgo(t, oldPending.id, 8 * 24);
    // Finished just now: kept by the default age (from completed_at), deleted from created_at.
    expect(await store.cleanup(7 * 24, ALL_JOBS)).toBe(0);
    expect(await store.cleanup(7 * 24, ALL_JOBS, { ageFrom: 'created' })).toBe(1);
    expect(await store.get(oldCreated.id, ALL_JOBS)).toBeNull();
    expect((await mustGet(store, oldPending.id)).status).toBe('pending');
  });

  it('refuses an unfinished status with INVALID_STATUS and deletes nothing', async () => {
    const { t, store, jobs } = ctx();
    const old = await jobs.failed();
    await setFinishedHoursAgo(t, old.id, 48);
    const error = await rejectionOf(store.cleanup(24, ALL_JOBS, { statuses: ['running' as 'failed'] }));
    expect(error).toMatchObject({ code: 'INVALID_STATUS' });
    expect(await store.get(old.id, ALL_JOBS)).not.toBeNull();
  });
});
