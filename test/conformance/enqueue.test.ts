import { describe, expect, it } from 'vitest';
import type { JobPriority } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { countRows, makeRunnableNow } from '../support/db-fixtures.js';
import {
  dbNow,
  eventTypes,
  expectCode,
  expectRejectsWith,
  msBetween,
  mustGet,
  rejectionOf,
  thrownBy,
  useConformanceDatabase,
} from '../support/conformance.js';

const claimNoop = { workerId: 'worker-a', kinds: ['noop'], limit: 10, leaseSeconds: 30 };

describe('enqueue', () => {
  const ctx = useConformanceDatabase({ JOB_TIMEOUT_MINUTES: 3, MAX_RETRIES: 4 });

  it('stores a new job as pending with what was asked for', async () => {
    const { store, jobs } = ctx();
    const input = jobs.resolve({
      kind: 'sleep',
      payload: { ms: 25, note: 'hi' },
      priority: 'high',
      userId: 'user-1',
      lessonId: 'lesson-9',
      timeoutSeconds: 42,
      maxRetries: 1,
    });
    const result = await store.enqueue(input);
    expect(result.created).toBe(true);
    expect(result.job).toMatchObject({
      id: input.id,
      kind: 'sleep',
      status: 'pending',
      priority: 'high',
      payload: { ms: 25, note: 'hi' },
      userId: 'user-1',
      lessonId: 'lesson-9',
      timeoutSeconds: 42,
      maxRetries: 1,
      retryCount: 0,
      attempt: 0,
      progress: 0,
      workerId: null,
      startedAt: null,
      completedAt: null,
      result: null,
    });
    expect(await mustGet(store, input.id)).toEqual(result.job);
  });

  it('fills priority, timeout and retries from the config when not given', async () => {
    const { t, jobs } = ctx();
    const job = await jobs.pending();
    expect(job.priority).toBe('normal');
    expect(job.timeoutSeconds).toBe(180);
    expect(job.maxRetries).toBe(4);
    expect(msBetween(job.runAt, await dbNow(t))).toBeLessThan(1000);
    expect(msBetween(job.createdAt, job.runAt)).toBeLessThan(50);
  });

  it('enqueues a batch in one call and returns the results in input order', async () => {
    const { store, jobs } = ctx();
    const priorities: JobPriority[] = ['low', 'urgent', 'normal', 'high', 'low'];
    const inputs = priorities.map((priority, i) => jobs.resolve({ kind: 'noop', priority, payload: { i } }));
    const results = await store.enqueueMany(inputs);
    expect(results.map((r) => r.job.id)).toEqual(inputs.map((input) => input.id));
    expect(results.map((r) => r.job.payload)).toEqual(priorities.map((_, i) => ({ i })));
    expect(results.every((r) => r.created)).toBe(true);
    expect((await store.list({ limit: 50 }, ALL_JOBS)).jobs).toHaveLength(5);
  });

  it('returns each new job exactly as it reads back', async () => {
    const { store, jobs } = ctx();
    const inputs = [
      jobs.resolve({ kind: 'noop' }),
      jobs.resolve({
        kind: 'noop',
        userId: 'alice',
        lessonId: 'lesson-1',
        priority: 'urgent',
        runAt: new Date(Date.now() + 60_000),
        timeoutSeconds: 7,
        maxRetries: 0,
        idempotencyKey: 'once',
        payload: { zeta: [1, 2.5, { b: null, a: 'ünï' }], alpha: true },
      }),
      jobs.resolve({
        kind: 'noop',
        payload: { big: 1e21, tiny: 5e-7, max: Number.MAX_SAFE_INTEGER, text: 'a"b\\c\n\u2028🎬', empty: {} },
      }),
    ];
    for (const { job } of await store.enqueueMany(inputs)) {
      expect(await mustGet(store, job.id)).toEqual(job);
    }
  });

  it('keeps owner, lesson and key text exactly, whatever characters they hold', async () => {
    const { store, jobs } = ctx();
    // Characters that mean something in an array literal or in JSON, and the word NULL.
    const texts = ['NULL', 'null', 'a,b', '{x}', 'back\\slash "quote"', ' padded ', "it's", 'ünï 🎬'];
    const inputs = texts.map((text) =>
      jobs.resolve({ kind: 'noop', userId: text, lessonId: text, idempotencyKey: text, payload: { text } }),
    );
    const results = await store.enqueueMany(inputs);
    expect(results.every((r) => r.created)).toBe(true);
    for (const [i, { job }] of results.entries()) {
      const stored = await mustGet(store, job.id);
      expect(stored).toEqual(job);
      expect(stored).toMatchObject({ userId: texts[i], lessonId: texts[i], idempotencyKey: texts[i] });
      expect(stored.payload).toEqual({ text: texts[i] });
    }
    const again = await store.enqueueMany(
      texts.map((text) => jobs.resolve({ kind: 'noop', userId: text, idempotencyKey: text })),
    );
    expect(again.map((r) => [r.created, r.job.id])).toEqual(results.map((r) => [false, r.job.id]));
  });

  it('refuses a batch holding an id already taken, and writes none of it', async () => {
    const { t, store, jobs } = ctx();
    const existing = await jobs.pending();
    const fresh = jobs.resolve({ kind: 'noop' });
    const taken = { ...jobs.resolve({ kind: 'noop' }), id: existing.id };
    const refused = await rejectionOf(store.enqueueMany([fresh, taken]));
    expectCode(refused, 'VALIDATION_FAILED');
    expect((refused as Error).message).toContain(existing.id);
    await expectRejectsWith(store.enqueueMany([fresh, fresh]), 'VALIDATION_FAILED');
    expect(await countRows(t, 'jobs')).toBe(1);
    expect(await store.listEvents(fresh.id, FROM_THE_START, 10)).toEqual([]);
  });

  it('starts every new job’s log with its created event, event 0, read from the job and stored nowhere else', async () => {
    const { t, store, jobs } = ctx();
    const [a, b] = await jobs.pendingMany(2);
    const one = await jobs.pending();
    expect(await eventTypes(store, a!.id)).toEqual(['created']);
    expect(await eventTypes(store, b!.id)).toEqual(['created']);
    expect(await eventTypes(store, one.id)).toEqual(['created']);
    const [event] = await store.listEvents(a!.id, FROM_THE_START, 10);
    expect(event).toEqual({
      id: 0,
      jobId: a!.id,
      at: a!.createdAt,
      type: 'created',
      status: 'pending',
      progress: 0,
      stage: null,
      message: 'Queued',
      attempt: 0,
      workerId: null,
      data: null,
    });
    // After event 0: what came since (nothing yet); a limit of 0 reads nothing.
    expect(await store.listEvents(a!.id, 0, 10)).toEqual([]);
    expect(await store.listEvents(a!.id, FROM_THE_START, 0)).toEqual([]);
    expect(await countRows(t, 'job_events')).toBe(0);
    // Once it runs, the stored events follow it.
    const [claimed] = await store.claim(claimNoop);
    expect(claimed?.id).toBe(a!.id);
    const log = await store.listEvents(a!.id, FROM_THE_START, 10);
    expect(log.map((e) => [e.id > 0, e.type])).toEqual([
      [false, 'created'],
      [true, 'started'],
    ]);
    expect(await store.listEvents(a!.id, FROM_THE_START, 1)).toEqual([event]);
  });

  it('does not let a job run before its run_at, then lets it run once due', async () => {
    const { t, store, jobs } = ctx();
    const later = await jobs.pending({ runAt: new Date(Date.now() + 3_600_000) });
    expect(await store.claim(claimNoop)).toEqual([]);
    await makeRunnableNow(t, later.id);
    expect((await store.claim(claimNoop)).map((job) => job.id)).toEqual([later.id]);
  });

  it('keeps the run_at it was given', async () => {
    const { jobs } = ctx();
    const runAt = new Date(Date.now() + 90_000);
    const job = await jobs.pending({ runAt });
    expect(msBetween(job.runAt, runAt)).toBeLessThan(2);
  });
});

describe('idempotency keys', () => {
  const ctx = useConformanceDatabase();

  it('returns the same job, not created, for the same user and key', async () => {
    const { t, store, jobs } = ctx();
    const first = await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'k-1' }));
    const again = await store.enqueue(
      jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'k-1', priority: 'urgent' }),
    );
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    expect(again.job.priority).toBe('normal');
    expect(await countRows(t, 'jobs')).toBe(1);
    expect(await eventTypes(store, first.job.id)).toEqual(['created']);
  });

  it('gives another user with the same key a different job', async () => {
    const { t, store, jobs } = ctx();
    const mine = await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'shared' }));
    const theirs = await store.enqueue(
      jobs.resolve({ kind: 'noop', userId: 'u2', idempotencyKey: 'shared' }),
    );
    expect(theirs.created).toBe(true);
    expect(theirs.job.id).not.toBe(mine.job.id);
    expect(await countRows(t, 'jobs')).toBe(2);
  });

  it('dedupes within a batch and against earlier jobs, keeping input order', async () => {
    const { t, store, jobs } = ctx();
    const earlier = await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'a' }));
    const results = await store.enqueueMany([
      jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'b' }),
      jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'a' }),
      jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'b' }),
    ]);
    expect(results.map((r) => r.created)).toEqual([true, false, false]);
    expect(results[1]!.job.id).toBe(earlier.job.id);
    expect(results[2]!.job.id).toBe(results[0]!.job.id);
    expect(await countRows(t, 'jobs')).toBe(2);
  });

  it('two handles enqueueing the same key at once get one job between them', async () => {
    const { t, jobs } = ctx();
    const handles = [(await t.reopen()).jobs, (await t.reopen()).jobs, (await t.reopen()).jobs];
    const results = await Promise.all(
      handles.map((store) =>
        store.enqueue(jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'race' })),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(await countRows(t, 'jobs')).toBe(1);
  });

  it('does not treat jobs without a key as duplicates', async () => {
    const { t, jobs } = ctx();
    await jobs.pending({ userId: 'u1' });
    await jobs.pending({ userId: 'u1' });
    expect(await countRows(t, 'jobs')).toBe(2);
  });
});

describe('bad input is refused before anything is written', () => {
  const ctx = useConformanceDatabase();

  it('refuses an unknown kind with UNKNOWN_KIND', async () => {
    const { t, jobs } = ctx();
    expectCode(
      thrownBy(() => jobs.resolve({ kind: 'no-such-kind' })),
      'UNKNOWN_KIND',
    );
    expect(await countRows(t, 'jobs')).toBe(0);
  });

  it('refuses a malformed payload (sleep without ms) with INVALID_PAYLOAD', async () => {
    const { t, jobs } = ctx();
    expectCode(
      thrownBy(() => jobs.resolve({ kind: 'sleep', payload: {} })),
      'INVALID_PAYLOAD',
    );
    expectCode(
      thrownBy(() => jobs.resolve({ kind: 'sleep', payload: { ms: 'soon' } })),
      'INVALID_PAYLOAD',
    );
    expectCode(
      thrownBy(() => jobs.resolve({ kind: 'sleep', payload: { ms: -1 } })),
      'INVALID_PAYLOAD',
    );
    expect(await countRows(t, 'jobs')).toBe(0);
  });

  it('refuses an unknown priority with INVALID_PRIORITY', async () => {
    const { t, jobs } = ctx();
    const priority = 'critical' as JobPriority;
    expectCode(
      thrownBy(() => jobs.resolve({ kind: 'noop', priority })),
      'INVALID_PRIORITY',
    );
    expect(await countRows(t, 'jobs')).toBe(0);
  });

  it('refuses a zero, negative or fractional timeout with INVALID_TIMEOUT', async () => {
    const { t, jobs } = ctx();
    for (const timeoutSeconds of [0, -5, 1.5, Number.NaN]) {
      expectCode(
        thrownBy(() => jobs.resolve({ kind: 'noop', timeoutSeconds })),
        'INVALID_TIMEOUT',
      );
    }
    expect(await countRows(t, 'jobs')).toBe(0);
    expect(await countRows(t, 'job_events')).toBe(0);
  });
});

describe('enqueue within an active-jobs limit', () => {
  const ctx = useConformanceDatabase();
  const limit = { activeLimit: 2 };

  it('refuses the owner a job over the limit with TOO_MANY_JOBS, writes nothing, and accepts again once one ends', async () => {
    const { t, store, jobs } = ctx();
    await jobs.completed({ userId: 'alice' });
    await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), limit);
    const { job: second } = await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), limit);
    const refused = await rejectionOf(store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), limit));
    expectCode(refused, 'TOO_MANY_JOBS');
    expect(refused).toMatchObject({ details: { limit: 2, active: 2 } });
    expect(await countRows(t, 'jobs')).toBe(3);
    expect((await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'bob' }), limit)).created).toBe(true);
    expect((await store.enqueue(jobs.resolve({ kind: 'noop' }), limit)).created).toBe(true);
    await store.cancel(second.id, null, ALL_JOBS);
    expect((await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), limit)).created).toBe(true);
  });

  it('returns the existing job for a repeated idempotency key even at the limit', async () => {
    const { store, jobs } = ctx();
    const first = await store.enqueue(
      jobs.resolve({ kind: 'noop', userId: 'alice', idempotencyKey: 'once' }),
      limit,
    );
    await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), limit);
    const again = await store.enqueue(
      jobs.resolve({ kind: 'noop', userId: 'alice', idempotencyKey: 'once' }),
      limit,
    );
    expect(again).toEqual({ job: first.job, created: false });
    await expectRejectsWith(
      store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice', idempotencyKey: 'new' }), limit),
      'TOO_MANY_JOBS',
    );
  });

  it('holds across handles enqueueing at once: never more than the limit', async () => {
    const { t, jobs } = ctx();
    const handles = [t.db.jobs, (await t.reopen()).jobs, (await t.reopen()).jobs];
    const attempts = Array.from({ length: 12 }, (_, i) =>
      handles[i % handles.length]!.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice' }), {
        activeLimit: 5,
      }),
    );
    const outcomes = await Promise.allSettled(attempts);
    const created = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(created).toHaveLength(5);
    for (const error of refused) expectCode(error, 'TOO_MANY_JOBS');
    expect(await countRows(t, 'jobs')).toBe(5);
  });
});
