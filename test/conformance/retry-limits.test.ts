/**
 * A manual retry makes a finished job active again, so it obeys what a new job obeys: the owner's
 * active-jobs limit (checked and applied atomically, across every handle on the database) and the
 * points rules. `retryMany` retries in order and reports each id; a refused id changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, ownedBy, type JobStore, type RetryOutcome } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import {
  eventCount,
  eventTypes,
  expectCode,
  mustGet,
  rejectionOf,
  useConformanceDatabase,
} from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';

const LIMIT = { activeLimit: 3 };

async function activeOf(t: TestDatabase, userId: string): Promise<number> {
  const rows = await t.sql<{ n: number | string }>(
    {
      sqlite: "SELECT count(*) AS n FROM jobs WHERE user_id = ? AND status IN ('pending', 'running')",
      postgres: "SELECT count(*)::int AS n FROM jobs WHERE user_id = ? AND status IN ('pending', 'running')",
    },
    [userId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** What each outcome came to: `retried`, or the refusal's code. */
const verdicts = (outcomes: readonly RetryOutcome[]) =>
  outcomes.map((outcome) => (outcome.job ? 'retried' : outcome.error.code));

describe('a manual retry within the active-jobs limit', () => {
  const ctx = useConformanceDatabase();

  it('refuses a retry (forced or not) that would take the owner over the limit with TOO_MANY_JOBS, changing nothing', async () => {
    const { t, store, jobs } = ctx();
    const waiting = [
      await jobs.pending({ userId: 'alice' }),
      await jobs.pending({ userId: 'alice' }),
      await jobs.pending({ userId: 'alice' }),
    ];
    const failed = await jobs.failed({ userId: 'alice', maxRetries: 2 });
    const events = await countRows(t, 'job_events');
    for (const force of [false, true]) {
      const refused = await rejectionOf(store.retry(failed.id, { force }, ownedBy('alice'), LIMIT));
      expectCode(refused, 'TOO_MANY_JOBS');
      expect(refused).toMatchObject({ details: { limit: 3, active: 3 } });
    }
    // An admin retrying it is refused too: the limit is the owner's.
    expectCode(await rejectionOf(store.retry(failed.id, { force: false }, ALL_JOBS, LIMIT)), 'TOO_MANY_JOBS');
    expect(await mustGet(store, failed.id)).toEqual(failed);
    expect(await countRows(t, 'job_events')).toBe(events);

    await store.cancel(waiting[0]!.id, null, ALL_JOBS);
    expect((await store.retry(failed.id, { force: false }, ownedBy('alice'), LIMIT)).status).toBe('pending');
    expect(await activeOf(t, 'alice')).toBe(3);
  });

  it("counts only the owner's jobs, and leaves retries without a limit (the CLI's) alone", async () => {
    const { store, jobs } = ctx();
    for (let i = 0; i < 3; i++) await jobs.pending({ userId: 'alice' });
    const bobs = await jobs.failed({ userId: 'bob' });
    expect((await store.retry(bobs.id, { force: false }, ownedBy('bob'), LIMIT)).status).toBe('pending');
    const ownerless = await jobs.failed({ userId: null });
    expect((await store.retry(ownerless.id, { force: false }, ALL_JOBS, LIMIT)).status).toBe('pending');
    const alices = await jobs.failed({ userId: 'alice' });
    expect((await store.retry(alices.id, { force: false }, ALL_JOBS)).status).toBe('pending');
  });

  it('answers a job that cannot be retried with its own code before the limit', async () => {
    const { store, jobs } = ctx();
    for (let i = 0; i < 3; i++) await jobs.pending({ userId: 'alice' });
    const done = await jobs.completed({ userId: 'alice' });
    const spent = await jobs.failed({ userId: 'alice', maxRetries: 0 });
    const scope = ownedBy('alice');
    expectCode(await rejectionOf(store.retry(done.id, { force: false }, scope, LIMIT)), 'JOB_NOT_RETRYABLE');
    expectCode(
      await rejectionOf(store.retry(spent.id, { force: false }, scope, LIMIT)),
      'RETRY_LIMIT_REACHED',
    );
    expectCode(
      await rejectionOf(store.retry(spent.id, { force: true }, ownedBy('bob'), LIMIT)),
      'JOB_NOT_FOUND',
    );
  });

  it('holds across handles retrying at once: never more active jobs than the limit', async () => {
    const { t, jobs } = ctx();
    await jobs.pending({ userId: 'alice' });
    const failed: Job[] = [];
    for (let i = 0; i < 9; i++) failed.push(await jobs.failed({ userId: 'alice' }));
    const handles: JobStore[] = [t.db.jobs, (await t.reopen()).jobs, (await t.reopen()).jobs];
    const outcomes = await Promise.allSettled([
      ...failed.map((job, i) =>
        handles[i % handles.length]!.retry(job.id, { force: i % 2 === 0 }, ownedBy('alice'), LIMIT),
      ),
      // An enqueue on yet another handle competes for the same places.
      handles[1]!.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), LIMIT),
    ]);
    const passed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(passed).toHaveLength(2);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expectCode(outcome.reason, 'TOO_MANY_JOBS');
    }
    expect(await activeOf(t, 'alice')).toBe(3);
  });
});

describe('retrying many jobs at once', () => {
  const ctx = useConformanceDatabase();

  it('retries in order up to the limit and reports every id once, changing nothing for the refused', async () => {
    const { t, store, jobs } = ctx();
    await jobs.pending({ userId: 'alice' });
    const failed = [
      await jobs.failed({ userId: 'alice' }),
      await jobs.timedOut({ userId: 'alice' }),
      await jobs.cancelled({ userId: 'alice' }),
      await jobs.failed({ userId: 'alice' }),
    ];
    const done = await jobs.completed({ userId: 'alice' });
    const bobs = await jobs.failed({ userId: 'bob' });
    const ids = [
      failed[0]!.id,
      done.id,
      failed[0]!.id,
      bobs.id,
      'no-such-job',
      ...failed.slice(1).map((j) => j.id),
    ];
    const outcomes = await store.retryMany(ids, { force: false }, ownedBy('alice'), LIMIT);
    expect(outcomes.map((outcome) => outcome.jobId)).toEqual([
      failed[0]!.id,
      done.id,
      bobs.id,
      'no-such-job',
      ...failed.slice(1).map((j) => j.id),
    ]);
    expect(verdicts(outcomes)).toEqual([
      'retried',
      'JOB_NOT_RETRYABLE',
      'JOB_NOT_FOUND',
      'JOB_NOT_FOUND',
      'retried',
      'TOO_MANY_JOBS',
      'TOO_MANY_JOBS',
    ]);
    expect(outcomes[4]!.job?.status).toBe('pending');
    expect(await mustGet(store, failed[2]!.id)).toEqual(failed[2]);
    expect(await mustGet(store, failed[3]!.id)).toEqual(failed[3]);
    expect(await mustGet(store, bobs.id)).toEqual(bobs);
    expect(await activeOf(t, 'alice')).toBe(3);
  });

  it('holds across handles retrying overlapping batches at once', async () => {
    const { t, jobs } = ctx();
    const failed: Job[] = [];
    for (let i = 0; i < 8; i++) failed.push(await jobs.failed({ userId: 'alice' }));
    const ids = failed.map((job) => job.id);
    const handles: JobStore[] = [t.db.jobs, (await t.reopen()).jobs, (await t.reopen()).jobs];
    const batches = await Promise.all(
      handles.map((store, i) =>
        store.retryMany(i === 1 ? [...ids].reverse() : ids, { force: true }, ALL_JOBS, LIMIT),
      ),
    );
    const retried = batches.flat().filter((outcome) => outcome.job);
    expect(retried).toHaveLength(3);
    expect(new Set(retried.map((outcome) => outcome.jobId)).size).toBe(3);
    for (const outcome of batches.flat()) {
      if (!outcome.job) expect(['TOO_MANY_JOBS', 'JOB_NOT_RETRYABLE']).toContain(outcome.error.code);
    }
    expect(await activeOf(t, 'alice')).toBe(3);
  });

  it('charges each retried job like a new one, and refuses those the owner cannot pay for', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 10 });
    const spec = { userId: user.id, costPoints: 4, maxRetries: 0 };
    const failed = [await jobs.failed(spec), await jobs.failed(spec), await jobs.failed(spec)];
    const events = await eventCount(t, failed[2]!.id);
    const outcomes = await store.retryMany(
      failed.map((job) => job.id),
      { force: true },
      ALL_JOBS,
      LIMIT,
    );
    expect(verdicts(outcomes)).toEqual(['retried', 'retried', 'INSUFFICIENT_POINTS']);
    expect((await t.db.users.getUser(user.id))?.promptPoints).toBe(2);
    expect(await mustGet(store, failed[2]!.id)).toEqual(failed[2]);
    expect(await eventCount(t, failed[2]!.id)).toBe(events);
    expect((await eventTypes(store, failed[1]!.id)).at(-1)).toBe('retried');
  });

  it('checks the limit before the points, as a new job does', async () => {
    const { t, store, jobs } = ctx();
    const user = await t.db.users.createUser({ points: 4 });
    const failed = await jobs.failed({ userId: user.id, costPoints: 4, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await jobs.pending({ userId: user.id });
    await t.db.users.adjustPoints(user.id, -4);
    const [outcome] = await store.retryMany([failed.id], { force: true }, ALL_JOBS, LIMIT);
    expect(outcome?.error?.code).toBe('TOO_MANY_JOBS');
  });
});
