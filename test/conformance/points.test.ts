/**
 * Points (seed 004's prompt_points), enforced by the database: a job's cost is charged in the
 * transaction that inserts it, refunded when it ends without a video, charged again on a manual retry.
 */
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { UserStore } from '../../src/users/store.js';
import { countRows, expireLease } from '../support/db-fixtures.js';
import {
  expectCode,
  expectRejectsWith,
  mustGet,
  thrownBy,
  useConformanceDatabase,
} from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';

async function balance(users: UserStore, userId: string): Promise<number> {
  const user = await users.getUser(userId);
  if (!user) throw new Error(`no user ${userId}`);
  return user.promptPoints;
}

async function pointsCharged(t: TestDatabase, jobId: string): Promise<number> {
  const rows = await t.sql<{ charged: number | string }>(
    {
      sqlite: 'SELECT points_charged AS charged FROM jobs WHERE id = ?',
      postgres: 'SELECT points_charged AS charged FROM jobs WHERE id = ?',
    },
    [jobId],
  );
  return Number(rows[0]?.charged);
}

async function rowCounts(t: TestDatabase): Promise<{ jobs: number; events: number }> {
  return { jobs: await countRows(t, 'jobs'), events: await countRows(t, 'job_events') };
}

describe('charging points when a job is queued', () => {
  const ctx = useConformanceDatabase();

  it('takes the cost from the owner in the insert and records it on the job', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 10 });
    const job = await jobs.pending({ userId: user.id, costPoints: 3 });
    expect(await balance(t.db.users, user.id)).toBe(7);
    expect(await pointsCharged(t, job.id)).toBe(3);
    expect(await mustGet(store, job.id)).toMatchObject({ status: 'pending', userId: user.id });
  });

  it('refuses a job the owner cannot pay for: INSUFFICIENT_POINTS, and nothing changes', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 2 });
    await jobs.pending({ userId: user.id, costPoints: 1 });
    const before = await rowCounts(t);
    const job = jobs.resolve({ kind: 'noop', userId: user.id, costPoints: 3 });
    await expectRejectsWith(store.enqueue(job), 'INSUFFICIENT_POINTS');
    expect(await balance(t.db.users, user.id)).toBe(1);
    expect(await rowCounts(t)).toEqual(before);
    expect(await store.get(job.id, ALL_JOBS)).toBeNull();
  });

  it('names the owner and the cost in the error', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 0 });
    const error = await store.enqueue(jobs.resolve({ kind: 'noop', userId: user.id, costPoints: 5 })).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_POINTS',
      details: { userIds: [user.id], costPoints: [5] },
    });
  });

  it('queues a batch all or nothing: one job short fails them all', async () => {
    const { t, store, jobs } = ctx();
    const rich = await t.db.users.createUser({ points: 100 });
    const poor = await t.db.users.createUser({ points: 1 });
    const before = await rowCounts(t);
    const batch = [
      jobs.resolve({ kind: 'noop', userId: rich.id, costPoints: 5 }),
      jobs.resolve({ kind: 'noop', userId: poor.id, costPoints: 2 }),
      jobs.resolve({ kind: 'noop', userId: rich.id, costPoints: 5 }),
    ];
    await expectRejectsWith(store.enqueueMany(batch), 'INSUFFICIENT_POINTS');
    expect(await balance(t.db.users, rich.id)).toBe(100);
    expect(await balance(t.db.users, poor.id)).toBe(1);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('charges each job of a batch, down to exactly zero', async () => {
    const { t, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 6 });
    const queued = await jobs.pendingMany(3, { userId: user.id, costPoints: 2 });
    expect(await balance(t.db.users, user.id)).toBe(0);
    for (const job of queued) expect(await pointsCharged(t, job.id)).toBe(2);
    await expectRejectsWith(jobs.pending({ userId: user.id, costPoints: 1 }), 'INSUFFICIENT_POINTS');
  });

  it('never charges a job without an owner, nor a job that costs nothing', async () => {
    const { t, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 0 });
    const ownerless = await jobs.pending({ userId: null, costPoints: 5 });
    const free = await jobs.pending({ userId: user.id });
    expect(await pointsCharged(t, ownerless.id)).toBe(0);
    expect(await pointsCharged(t, free.id)).toBe(0);
    expect(await balance(t.db.users, user.id)).toBe(0);
  });

  it('refuses a job with a cost for an owner who is not a user', async () => {
    const { t, store, jobs } = ctx();
    const before = await rowCounts(t);
    await expectRejectsWith(
      store.enqueue(jobs.resolve({ kind: 'noop', userId: 'nobody', costPoints: 1 })),
      'INSUFFICIENT_POINTS',
    );
    expect(await rowCounts(t)).toEqual(before);
  });

  it('an idempotent repeat returns the job without charging again, even with no points left', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 4 });
    const spec = { kind: 'noop', userId: user.id, costPoints: 4, idempotencyKey: 'lesson-7' };
    const first = await store.enqueue(jobs.resolve(spec));
    const again = await store.enqueue(jobs.resolve(spec));
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(await balance(t.db.users, user.id)).toBe(0);
  });

  it('rejects a cost that is not a whole number of points before writing anything', async () => {
    const { jobs } = ctx();
    for (const costPoints of [-1, 1.5, Number.NaN]) {
      expectCode(
        thrownBy(() => jobs.resolve({ kind: 'noop', costPoints })),
        'VALIDATION_FAILED',
      );
    }
  });

  it('never lets a balance go negative, however many jobs race for it', async () => {
    const { t, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 5 });
    const other = await t.reopen();
    const attempts = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? t.db.jobs : other.jobs).enqueue(
        jobs.resolve({ kind: 'noop', userId: user.id, costPoints: 1 }),
      ),
    );
    const outcomes = await Promise.allSettled(attempts);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    }
    expect(await balance(t.db.users, user.id)).toBe(0);
  });

  it('the database itself refuses a negative balance', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser({ points: 1 });
    await expect(
      t.sql(
        {
          sqlite: 'UPDATE users SET prompt_points = -1 WHERE id = ?',
          postgres: 'UPDATE users SET prompt_points = -1 WHERE id = ?',
        },
        [user.id],
      ),
    ).rejects.toThrow();
    expect(await balance(t.db.users, user.id)).toBe(1);
  });
});

describe('refunding points when a job ends without a video', () => {
  const ctx = useConformanceDatabase();

  const charged = async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser({ points: 10 });
    return { userId: user.id, costPoints: 4 };
  };

  it('refunds a job that failed for good', async () => {
    const { t, jobs } = ctx();
    const spec = await charged();
    const job = await jobs.failed({ ...spec, maxRetries: 0 });
    expect(job.status).toBe('failed');
    expect(await balance(t.db.users, spec.userId)).toBe(10);
    expect(await pointsCharged(t, job.id)).toBe(0);
  });

  it('refunds a job that timed out', async () => {
    const { t, jobs } = ctx();
    const spec = await charged();
    const job = await jobs.timedOut(spec);
    expect(job.status).toBe('timeout');
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('refunds a job cancelled while pending', async () => {
    const { t, jobs } = ctx();
    const spec = await charged();
    const job = await jobs.cancelled(spec);
    expect(job.status).toBe('cancelled');
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('refunds a running job once its worker stops it, not when the cancel is requested', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const { job, lease } = await jobs.running(spec);
    expect((await store.cancel(job.id, 'not needed', ALL_JOBS)).state).toBe('requested');
    expect(await balance(t.db.users, spec.userId)).toBe(6);
    await store.markCancelled(lease, 'not needed');
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('refunds the jobs of a bulk cancel, once each', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const a = await jobs.pending({ ...spec, costPoints: 2 });
    const b = await jobs.pending({ ...spec, costPoints: 3 });
    expect(await balance(t.db.users, spec.userId)).toBe(5);
    await store.cancelMany([a.id, b.id, a.id], null, ALL_JOBS);
    await store.cancelMany([a.id, b.id], null, ALL_JOBS);
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('refunds an orphan the reaper fails because its worker was lost too often', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const { job } = await jobs.running({ ...spec, maxRetries: 0 });
    await t.sql(
      {
        sqlite: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
        postgres: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
      },
      [t.config.maxLostAttempts, job.id],
    );
    await expireLease(t, job.id);
    expect((await store.recoverExpiredLeases()).failed).toEqual([job.id]);
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('keeps the charge of an orphan the reaper re-queues, of a retried attempt, and of a released job', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const orphan = await jobs.running({ ...spec, costPoints: 1, maxRetries: 2 });
    await expireLease(t, orphan.job.id);
    expect((await store.recoverExpiredLeases()).requeued).toEqual([orphan.job.id]);
    const attempt = await jobs.running({ ...spec, costPoints: 2, maxRetries: 2 });
    const retried = await store.fail(attempt.lease, {
      code: 'HANDLER_FAILED',
      message: 'ffmpeg exited with 1',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 5,
    });
    expect(retried.status).toBe('pending');
    const released = await jobs.running({ ...spec, costPoints: 3 });
    expect(await store.release([released.lease])).toEqual([released.job.id]);
    expect(await balance(t.db.users, spec.userId)).toBe(4);
  });

  it('keeps the charge of a completed job', async () => {
    const { t, jobs } = ctx();
    const spec = await charged();
    const job = await jobs.completed(spec);
    expect(job.status).toBe('completed');
    expect(await balance(t.db.users, spec.userId)).toBe(6);
    expect(await pointsCharged(t, job.id)).toBe(4);
  });

  it('charges a manual retry again, and refunds it again if it fails', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const failed = await jobs.failed({ ...spec, maxRetries: 0 });
    expect(await balance(t.db.users, spec.userId)).toBe(10);
    const retried = await store.retry(failed.id, { force: true }, ALL_JOBS);
    expect(retried.status).toBe('pending');
    expect(await balance(t.db.users, spec.userId)).toBe(6);
    expect(await pointsCharged(t, failed.id)).toBe(4);
    await store.cancel(failed.id, null, ALL_JOBS);
    expect(await balance(t.db.users, spec.userId)).toBe(10);
  });

  it('refuses a manual retry the owner cannot pay for; the job stays as it was', async () => {
    const { t, store, jobs } = ctx();
    const spec = await charged();
    const failed = await jobs.failed({ ...spec, maxRetries: 0 });
    await t.db.users.adjustPoints(spec.userId, -8);
    const eventsBefore = await countRows(t, 'job_events');
    await expectRejectsWith(store.retry(failed.id, { force: true }, ALL_JOBS), 'INSUFFICIENT_POINTS');
    expect(await mustGet(store, failed.id)).toEqual(failed);
    expect(await balance(t.db.users, spec.userId)).toBe(2);
    expect(await countRows(t, 'job_events')).toBe(eventsBefore);
  });

  it('counts what a user’s jobs hold in their usage', async () => {
    const { t, jobs } = ctx();
    const spec = await charged();
    await jobs.pending({ ...spec, costPoints: 1 });
    await jobs.completed({ ...spec, costPoints: 2 });
    await jobs.failed({ ...spec, costPoints: 3, maxRetries: 0 });
    await jobs.pending({ userId: 'someone-else' });
    const usage = await t.db.users.usage(spec.userId);
    expect(usage).toMatchObject({
      totalJobs: 3,
      pointsCharged: 3,
      jobs: { pending: 1, running: 0, completed: 1, failed: 1, cancelled: 0, timeout: 0 },
    });
    expect(await balance(t.db.users, spec.userId)).toBe(7);
  });
});
