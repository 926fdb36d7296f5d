import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, ownedBy } from '../../src/jobs/store.js';
import { countRows, setCreatedHoursAgo, setFinishedHoursAgo } from '../support/db-fixtures.js';
import {
  eventCount,
  mustGet,
  setProcessingTimeSeconds,
  useConformanceDatabase,
} from '../support/conformance.js';

describe('cleanup of finished jobs', () => {
  const ctx = useConformanceDatabase();

  it('deletes only finished jobs older than max_age_hours, with their events, and returns the count', async () => {
    const { t, store, jobs } = ctx();
    const old = [await jobs.completed(), await jobs.failed(), await jobs.cancelled(), await jobs.timedOut()];
    const recent = await jobs.completed();
    const pending = await jobs.pending();
    const running = (await jobs.running()).job;
    for (const job of old) await setFinishedHoursAgo(t, job.id, 30);
    await setFinishedHoursAgo(t, recent.id, 2);
    await setCreatedHoursAgo(t, pending.id, 100);
    await setCreatedHoursAgo(t, running.id, 100);
    const kept = await Promise.all([recent, pending, running].map((job) => mustGet(store, job.id)));
    const keptEvents = await Promise.all(kept.map((job) => eventCount(t, job.id)));

    expect(await store.cleanup(24, ALL_JOBS)).toBe(4);

    for (const job of old) {
      expect(await store.get(job.id, ALL_JOBS)).toBeNull();
      expect(await eventCount(t, job.id)).toBe(0);
    }
    expect(await Promise.all(kept.map((job) => mustGet(store, job.id)))).toEqual(kept);
    expect(await Promise.all(kept.map((job) => eventCount(t, job.id)))).toEqual(keptEvents);
    expect(await countRows(t, 'jobs')).toBe(3);
    expect(await store.cleanup(24, ALL_JOBS)).toBe(0);
  });

  it('jobs deleted by hand in SQL take their events with them', async () => {
    const { t, jobs } = ctx();
    // Failed: a stored `failed` event each (PostgreSQL reads a completed job's events from the job).
    const gone = await jobs.failed();
    const kept = await jobs.failed();
    const keptEvents = await eventCount(t, kept.id);
    expect(await eventCount(t, gone.id)).toBeGreaterThan(0);
    const drop = 'DELETE FROM jobs WHERE id = ?';
    await t.sql({ sqlite: drop, postgres: drop }, [gone.id]);
    expect(await eventCount(t, gone.id)).toBe(0);
    expect(await eventCount(t, kept.id)).toBe(keptEvents);
  });

  it('takes a fractional max age in hours', async () => {
    const { t, store, jobs } = ctx();
    const hourOld = await jobs.completed();
    const fresh = await jobs.completed();
    await setFinishedHoursAgo(t, hourOld.id, 1);
    expect(await store.cleanup(0.5, ALL_JOBS)).toBe(1);
    expect(await store.get(hourOld.id, ALL_JOBS)).toBeNull();
    expect(await store.get(fresh.id, ALL_JOBS)).not.toBeNull();
  });

  it("a user's cleanup deletes only that user's jobs", async () => {
    const { t, store, jobs } = ctx();
    const mine = await jobs.completed({ userId: 'alice' });
    const theirs = await jobs.completed({ userId: 'bob' });
    await setFinishedHoursAgo(t, mine.id, 48);
    await setFinishedHoursAgo(t, theirs.id, 48);
    const theirsBefore = await mustGet(store, theirs.id);
    expect(await store.cleanup(24, ownedBy('alice'))).toBe(1);
    expect(await store.get(mine.id, ALL_JOBS)).toBeNull();
    expect(await mustGet(store, theirs.id)).toEqual(theirsBefore);
  });
});

describe('health metrics', () => {
  const ctx = useConformanceDatabase();

  it('counts jobs by status, the failure rate over all jobs, and the oldest pending age', async () => {
    const { t, store, jobs } = ctx();
    const oldest = await jobs.pending();
    await jobs.pending();
    await jobs.pending();
    await jobs.running();
    await jobs.completed();
    await jobs.completed();
    await jobs.failed();
    await jobs.failed();
    await jobs.timedOut();
    await jobs.cancelled();
    await setCreatedHoursAgo(t, oldest.id, 2);
    const health = await store.health(ALL_JOBS);
    expect(health).toMatchObject({
      total: 10,
      pending: 3,
      running: 1,
      completed: 2,
      failed: 2,
      cancelled: 1,
      timeout: 1,
      failureRate: 30,
    });
    expect(health.oldestPendingJobAgeMinutes).toBeGreaterThanOrEqual(119.9);
    expect(health.oldestPendingJobAgeMinutes).toBeLessThan(121);
  });

  it('reports an empty queue as zeros with no oldest pending job', async () => {
    const { store } = ctx();
    expect(await store.health(ALL_JOBS)).toEqual({
      total: 0,
      pending: 0,
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      timeout: 0,
      waiting: 0,
      failureRate: 0,
      oldestPendingJobAgeMinutes: null,
    });
  });

  it("counts only the user's jobs in the user's scope", async () => {
    const { store, jobs } = ctx();
    await jobs.pending({ userId: 'alice' });
    await jobs.failed({ userId: 'alice' });
    await jobs.pending({ userId: 'bob' });
    expect(await store.health(ownedBy('alice'))).toMatchObject({
      total: 2,
      pending: 1,
      failed: 1,
      failureRate: 50,
    });
  });
});

describe('statistics', () => {
  const ctx = useConformanceDatabase();

  it('gives nearest-rank processing-time percentiles of completed jobs', async () => {
    const { t, store, jobs } = ctx();
    const completed: Job[] = [];
    for (let i = 0; i < 20; i++) completed.push(await jobs.completed());
    // Out of order on purpose: the percentiles must sort.
    const seconds = [7, 3, 20, 1, 15, 9, 11, 2, 19, 4, 18, 6, 13, 5, 16, 8, 14, 10, 17, 12];
    for (const [i, job] of completed.entries()) await setProcessingTimeSeconds(t, job.id, seconds[i]!);
    const failed = await jobs.failed();
    await setProcessingTimeSeconds(t, failed.id, 500);

    const stats = await store.statistics(24, ALL_JOBS);
    expect(stats.processingTimeSeconds).toEqual({
      count: 20,
      average: 10.5,
      p50: 10,
      p95: 19,
      p99: 20,
      max: 20,
    });
  });

  it('reports totals, failure rate, priority mix, error codes and retried jobs', async () => {
    const { store, jobs } = ctx();
    await jobs.pending({ priority: 'urgent' });
    await jobs.pending({ priority: 'low' });
    await jobs.completed({ priority: 'high' });
    await jobs.failed({ errorCode: 'TTS_FAILED' });
    await jobs.failed({ errorCode: 'TTS_FAILED' });
    await jobs.timedOut({ priority: 'high' });
    const { lease } = await jobs.running();
    await store.fail(lease, {
      code: 'FLAKY',
      message: 'try again',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 60,
    });

    const stats = await store.statistics(24, ALL_JOBS);
    expect(stats.periodHours).toBe(24);
    expect(stats.total).toBe(7);
    expect(stats.totals).toEqual({
      pending: 3,
      running: 0,
      completed: 1,
      failed: 2,
      cancelled: 0,
      timeout: 1,
      waiting: 0,
    });
    expect(stats.failureRate).toBeCloseTo((3 / 7) * 100, 1);
    expect(stats.priorityDistribution).toEqual({ low: 1, normal: 3, high: 2, urgent: 1 });
    expect(stats.errorCodes).toMatchObject({ TTS_FAILED: 2, JOB_TIMEOUT: 1 });
    expect(stats.errorCodes).not.toHaveProperty('FLAKY');
    expect(stats.retriedJobs).toBe(1);
    expect(stats.processingTimeSeconds.count).toBe(1);
  });

  it('counts only jobs created within the hours window', async () => {
    const { t, store, jobs } = ctx();
    const old = await jobs.failed();
    await jobs.completed();
    await jobs.pending();
    await setCreatedHoursAgo(t, old.id, 48);
    const day = await store.statistics(24, ALL_JOBS);
    expect(day.total).toBe(2);
    expect(day.totals.failed).toBe(0);
    expect(day.failureRate).toBe(0);
    const week = await store.statistics(24 * 7, ALL_JOBS);
    expect(week.total).toBe(3);
    expect(week.totals.failed).toBe(1);
    const halfHour = await store.statistics(0.5, ALL_JOBS);
    expect(halfHour.periodHours).toBe(0.5);
    expect(halfHour.total).toBe(2);
  });

  it("counts only the user's jobs in the user's scope", async () => {
    const { store, jobs } = ctx();
    await jobs.completed({ userId: 'alice' });
    await jobs.failed({ userId: 'bob' });
    const stats = await store.statistics(24, ownedBy('alice'));
    expect(stats.total).toBe(1);
    expect(stats.totals.completed).toBe(1);
    expect(stats.errorCodes).toEqual({});
  });
});
