import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import {
  ALL_JOBS,
  FROM_THE_START,
  ownedBy,
  type JobStore,
  type ListFilter,
  type Scope,
} from '../../src/jobs/store.js';
import { expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';
import { expireLease } from '../support/db-fixtures.js';

const ids = (jobs: readonly Job[]) => jobs.map((job) => job.id);
const newestFirst = (a: Job, b: Job) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('listing jobs', () => {
  const ctx = useConformanceDatabase();

  it('pages through 25 jobs, 10 at a time, returning each exactly once, newest first', async () => {
    const { store, jobs } = ctx();
    // A batch (created in one transaction, so at the same instant) straddles the page boundary.
    const created: Job[] = await jobs.pendingMany(12);
    for (let i = 0; i < 13; i++) created.push(await jobs.pending({ payload: { i } }));
    const seen: Job[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.list({ limit: 10, cursor }, ALL_JOBS);
      pageSizes.push(page.jobs.length);
      seen.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== null && pageSizes.length < 10);
    expect(pageSizes).toEqual([10, 10, 5]);
    expect(new Set(ids(seen)).size).toBe(25);
    expect(ids(seen)).toEqual(ids([...created].sort(newestFirst)));
    expect(ids(seen)).toEqual(ids([...seen].sort(newestFirst)));
  });

  it('refuses a cursor it did not hand out with VALIDATION_FAILED', async () => {
    const { store } = ctx();
    const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'garbage!',
      'bm90IGpzb24',
      encoded(['x', 'y']),
      encoded([Date.now(), 'not-a-job-id']),
    ]) {
      await expectRejectsWith(store.list({ limit: 10, cursor }, ALL_JOBS), 'VALIDATION_FAILED');
    }
  });

  it('filters by status, priority, kind and unfinished', async () => {
    const { store, jobs } = ctx();
    const pendingLow = await jobs.pending({ priority: 'low' });
    const pendingSleep = await jobs.pending({ kind: 'sleep', payload: { ms: 1 }, priority: 'high' });
    const { job: running } = await jobs.running({ priority: 'high' });
    const completed = await jobs.completed({ priority: 'low' });
    const failed = await jobs.failed();
    const list = async (filter: Omit<ListFilter, 'limit'>) =>
      ids((await store.list({ limit: 50, ...filter }, ALL_JOBS)).jobs).sort();

    expect(await list({ statuses: ['pending'] })).toEqual(ids([pendingLow, pendingSleep]).sort());
    expect(await list({ statuses: ['completed', 'failed'] })).toEqual(ids([completed, failed]).sort());
    expect(await list({ priorities: ['low'] })).toEqual(ids([pendingLow, completed]).sort());
    expect(await list({ priorities: ['high'], statuses: ['running'] })).toEqual([running.id]);
    expect(await list({ kinds: ['sleep'] })).toEqual([pendingSleep.id]);
    expect(await list({ includeFinished: false })).toEqual(ids([pendingLow, pendingSleep, running]).sort());
    expect(await list({})).toHaveLength(5);
  });

  it('finds jobs by the start of their id, with or without hyphens, in any case', async () => {
    const { store, jobs } = ctx();
    const created = await jobs.pendingMany(6);
    created.push(await jobs.pending({ userId: 'bob' }));
    const target = created[3]!;
    const list = async (idPrefix: string, scope: Scope = ALL_JOBS) =>
      ids((await store.list({ limit: 50, idPrefix }, scope)).jobs).sort();
    const startingWith = (prefix: string) => ids(created.filter((job) => job.id.startsWith(prefix))).sort();

    expect(await list(target.id)).toEqual([target.id]);
    expect(await list(target.id.toUpperCase().replaceAll('-', ''))).toEqual([target.id]);
    // Past the first hyphen: the digits on both sides of it count.
    const longer = target.id.slice(0, 10);
    expect(await list(longer)).toEqual(startingWith(longer));
    expect(await list(longer)).toContain(target.id);
    expect(await list(target.id.slice(0, 1))).toEqual(startingWith(target.id.slice(0, 1)));
    // Another user's job with the same prefix stays hidden.
    expect(await list(target.id, ownedBy('bob'))).toEqual([]);
    // A prefix no job has.
    const absent = target.id.startsWith('f') ? '0' : 'f';
    expect(await list(`${absent}${target.id.slice(1)}`)).toEqual([]);
  });

  it('refuses an id prefix that is not hex digits with VALIDATION_FAILED', async () => {
    const { store } = ctx();
    for (const idPrefix of ['', 'xyz', '0193-zz', '0'.repeat(33), "0' OR 1=1"]) {
      await expectRejectsWith(store.list({ limit: 10, idPrefix }, ALL_JOBS), 'VALIDATION_FAILED');
    }
  });

  it('shows a user only their own jobs', async () => {
    const { store, jobs } = ctx();
    const mine = [await jobs.pending({ userId: 'alice' }), await jobs.completed({ userId: 'alice' })];
    await jobs.pending({ userId: 'bob' });
    await jobs.pending();
    const page = await store.list({ limit: 50 }, ownedBy('alice'));
    expect(ids(page.jobs).sort()).toEqual(ids(mine).sort());
    expect(page.nextCursor).toBeNull();
  });
});

describe('a job with its queue position', () => {
  const ctx = useConformanceDatabase();
  const positionOf = async (store: JobStore, id: string, scope: Scope = ALL_JOBS) =>
    (await store.getWithPosition(id, scope))?.queuePosition;

  it('counts the pending jobs that will be claimed first', async () => {
    const { store, jobs } = ctx();
    const low = await jobs.pending({ priority: 'low' });
    const normalOld = await jobs.pending({ userId: 'bob' });
    const normalNew = await jobs.pending({ userId: 'alice' });
    const urgent = await jobs.pending({ priority: 'urgent' });
    await jobs.running({ priority: 'urgent' });
    await jobs.completed({ priority: 'urgent' });
    expect(await positionOf(store, urgent.id)).toBe(0);
    expect(await positionOf(store, normalOld.id)).toBe(1);
    expect(await positionOf(store, normalNew.id)).toBe(2);
    expect(await positionOf(store, normalNew.id, ownedBy('alice'))).toBe(2);
    expect(await positionOf(store, low.id)).toBe(3);
  });

  it('orders the jobs of one batch, due at the same time, by id', async () => {
    const { store, jobs } = ctx();
    const batch = await jobs.pendingMany(4);
    const byId = batch.map((job) => job.id).sort();
    for (const job of batch) expect(await positionOf(store, job.id)).toBe(byId.indexOf(job.id));
  });

  it('returns the job exactly as get does', async () => {
    const { store, jobs } = ctx();
    const pending = await jobs.pending({ userId: 'alice' });
    const { job: running } = await jobs.running();
    expect(await store.getWithPosition(pending.id, ownedBy('alice'))).toEqual({
      job: await store.get(pending.id, ALL_JOBS),
      queuePosition: 0,
    });
    expect(await store.getWithPosition(running.id, ALL_JOBS)).toEqual({
      job: await store.get(running.id, ALL_JOBS),
      queuePosition: null,
    });
  });

  it('moves up as jobs ahead are claimed', async () => {
    const { store, jobs } = ctx();
    const [, , last] = await jobs.pendingMany(3);
    expect(await positionOf(store, last!.id)).toBe(2);
    await store.claim({ workerId: 'w', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    expect(await positionOf(store, last!.id)).toBe(1);
  });

  it('has no position for a job that is not pending; no answer for unknown or others’ jobs', async () => {
    const { store, jobs } = ctx();
    const { job: running } = await jobs.running();
    const completed = await jobs.completed();
    const theirs = await jobs.pending({ userId: 'bob' });
    expect(await positionOf(store, running.id)).toBeNull();
    expect(await positionOf(store, completed.id)).toBeNull();
    expect(await store.getWithPosition(randomUUID(), ALL_JOBS)).toBeNull();
    expect(await store.getWithPosition('nope', ALL_JOBS)).toBeNull();
    expect(await store.getWithPosition(theirs.id, ownedBy('alice'))).toBeNull();
  });

  it('answers reads asked together (one batch) each as it would alone, scope included', async () => {
    const { store, jobs } = ctx();
    const [first, second] = await jobs.pendingMany(2, { userId: 'alice' });
    const urgent = await jobs.pending({ userId: 'alice', priority: 'urgent' });
    const theirs = await jobs.pending({ userId: 'bob' });
    const { job: running } = await jobs.running({ userId: 'alice' });
    const asks: Array<[string, Scope]> = [
      [first!.id, ownedBy('alice')],
      [second!.id, ownedBy('alice')],
      [urgent.id, ownedBy('alice')],
      [urgent.id, ALL_JOBS],
      [theirs.id, ownedBy('alice')],
      [theirs.id, ownedBy('bob')],
      [running.id, ownedBy('alice')],
      [running.id, ownedBy('bob')],
      [randomUUID(), ALL_JOBS],
      [first!.id, ownedBy('alice')],
    ];
    const together = await Promise.all(asks.map(([id, scope]) => store.getWithPosition(id, scope)));
    const alone = [];
    for (const [id, scope] of asks) alone.push(await store.getWithPosition(id, scope));
    expect(together).toEqual(alone);
    expect(together.map((answer) => answer?.queuePosition)).toEqual([
      1,
      2,
      0,
      0,
      undefined,
      3,
      null,
      undefined,
      undefined,
      1,
    ]);
  });

  it('fails every read of a batch when the database cannot answer it', async () => {
    const { t, jobs } = ctx();
    const job = await jobs.pending();
    const other = await t.reopen();
    await other.close();
    const answers = await Promise.allSettled([
      other.jobs.getWithPosition(job.id, ALL_JOBS),
      other.jobs.getWithPosition(randomUUID(), ALL_JOBS),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['rejected', 'rejected']);
  });
});

describe("scope: a user cannot reach another user's jobs", () => {
  const ctx = useConformanceDatabase();

  it('get returns null for another user’s id and the job for its owner', async () => {
    const { store, jobs } = ctx();
    const job = await jobs.pending({ userId: 'bob' });
    expect(await store.get(job.id, ownedBy('alice'))).toBeNull();
    expect(await store.get(job.id, ownedBy('bob'))).toEqual(job);
  });

  it('cancel and retry answer JOB_NOT_FOUND and change nothing', async () => {
    const { store, jobs } = ctx();
    const pending = await jobs.pending({ userId: 'bob' });
    const failed = await jobs.failed({ userId: 'bob' });
    await expectRejectsWith(store.cancel(pending.id, null, ownedBy('alice')), 'JOB_NOT_FOUND');
    await expectRejectsWith(store.retry(failed.id, { force: true }, ownedBy('alice')), 'JOB_NOT_FOUND');
    expect(await mustGet(store, pending.id)).toEqual(pending);
    expect(await mustGet(store, failed.id)).toEqual(failed);
  });

  it('a malformed id is simply not found, never a database error', async () => {
    const { store } = ctx();
    for (const id of ['', 'abc', '12345', "x' OR '1'='1", '00000000-0000-0000-0000-00000000000g']) {
      expect(await store.get(id, ALL_JOBS)).toBeNull();
      expect(await store.get(id, ownedBy('alice'))).toBeNull();
      await expectRejectsWith(store.cancel(id, null, ALL_JOBS), 'JOB_NOT_FOUND');
      await expectRejectsWith(store.retry(id, { force: false }, ALL_JOBS), 'JOB_NOT_FOUND');
      expect(await store.listEvents(id, FROM_THE_START, 10)).toEqual([]);
    }
  });
});

describe('job events', () => {
  const ctx = useConformanceDatabase();

  it('tell the life of a job in order, and page after an event id', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running({ maxRetries: 1 });
    await store.reportProgress(lease, { progress: 30, stage: 'slides', message: 'Rendering' });
    await store.fail(lease, {
      code: 'E',
      message: 'e',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 0,
    });
    const [again] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    await store.complete({ jobId: job.id, attempt: again!.attempt, workerId: 'worker-b' }, { ok: true });

    const events = await store.listEvents(job.id, FROM_THE_START, 100);
    expect(events.map((e) => [e.type, e.status, e.attempt])).toEqual([
      ['created', 'pending', 0],
      ['started', 'running', 1],
      ['progress', 'running', 1],
      ['retry_scheduled', 'pending', 1],
      ['started', 'running', 2],
      ['completed', 'completed', 2],
    ]);
    expect(events.every((e) => e.jobId === job.id)).toBe(true);
    const eventIds = events.map((e) => e.id);
    expect(eventIds).toEqual([...eventIds].sort((a, b) => a - b));
    expect(new Set(eventIds).size).toBe(6);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.at.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.at.getTime());
    }

    const after = await store.listEvents(job.id, eventIds[2]!, 2);
    expect(after.map((e) => e.type)).toEqual(['retry_scheduled', 'started']);
    expect(await store.listEvents(job.id, eventIds[5]!, 10)).toEqual([]);
  });

  it('keep each attempt’s started event, with its worker and time, through every way back to the queue', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ maxRetries: 5, workerId: 'worker-a' });
    const claim = async (workerId: string): Promise<Job> => {
      const [claimed] = await store.claim({ workerId, kinds: [job.kind], limit: 1, leaseSeconds: 30 });
      if (!claimed) throw new Error(`${workerId} claimed nothing`);
      return claimed;
    };
    const startedAt: Date[] = [(await mustGet(store, job.id)).startedAt!];
    // worker-a releases it, worker-b's lease lapses, worker-c's attempt fails for good and is
    // retried by hand, worker-d completes it.
    await store.release([{ jobId: job.id, attempt: 1, workerId: 'worker-a' }]);
    startedAt.push((await claim('worker-b')).startedAt!);
    await expireLease(t, job.id);
    expect((await store.recoverExpiredLeases()).requeued).toEqual([job.id]);
    const third = await claim('worker-c');
    startedAt.push(third.startedAt!);
    await store.fail(leaseOf(third), {
      code: 'E',
      message: 'e',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: null,
    });
    await store.retry(job.id, { force: false }, ALL_JOBS);
    const fourth = await claim('worker-d');
    startedAt.push(fourth.startedAt!);
    const completed = await store.complete(leaseOf(fourth), { ok: true });

    const events = await store.listEvents(job.id, FROM_THE_START, 100);
    expect(events.map((e) => [e.type, e.attempt, e.workerId])).toEqual([
      ['created', 0, null],
      ['started', 1, 'worker-a'],
      ['released', 1, null],
      ['started', 2, 'worker-b'],
      ['recovered', 2, null],
      ['started', 3, 'worker-c'],
      ['failed', 3, 'worker-c'],
      ['retried', 3, null],
      ['started', 4, 'worker-d'],
      ['completed', 4, 'worker-d'],
    ]);
    const started = events.filter((e) => e.type === 'started');
    expect(started.map((e) => e.at)).toEqual(startedAt);
    expect(started.every((e) => e.status === 'running' && e.progress === 0 && e.stage === null)).toBe(true);
    expect(started.every((e) => e.message === 'Started' && e.data === null)).toBe(true);
    expect(events.at(-1)).toMatchObject({ at: completed.completedAt, status: 'completed', progress: 100 });
    const eventIds = events.map((e) => e.id);
    expect(eventIds).toEqual([...eventIds].sort((a, b) => a - b));
    expect(new Set(eventIds).size).toBe(events.length);
    // Paging after each event gives the rest, whichever are stored and whichever read from the job.
    for (let i = 0; i < events.length; i++) {
      expect(await store.listEvents(job.id, eventIds[i]!, 100)).toEqual(events.slice(i + 1));
    }
  });

  it('keep each job’s events apart', async () => {
    const { store, jobs } = ctx();
    const [a, b] = await jobs.pendingMany(2);
    await store.cancel(a!.id, null, ALL_JOBS);
    expect((await store.listEvents(b!.id, FROM_THE_START, 10)).map((e) => e.type)).toEqual(['created']);
  });
});
