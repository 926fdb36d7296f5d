/**
 * Jobs that wait for others (migration 0030): a child is `waiting` until every parent completes and
 * becomes `pending` in the transaction of the last completion; a parent's failure or cancel does
 * what the child's `on_parent_failure` says, down the line; a manual retry of the parent revives
 * what it failed. Run on both databases.
 */
import { describe, expect, it } from 'vitest';
import { readParentResults } from '../../src/jobs/dependencies.js';
import { JobAbort } from '../../src/jobs/job-abort.js';
import { RunningJobContext } from '../../src/jobs/job-context.js';
import { leaseOf, type Job, type OnParentFailure } from '../../src/jobs/model.js';
import { ALL_JOBS, ownedBy, type JobStore } from '../../src/jobs/store.js';
import { eventTypes, expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';
import { expireLease } from '../support/db-fixtures.js';
import { stubKind, type JobFactory } from '../support/job-factory.js';
import { snapshotTables } from '../support/table-snapshot.js';

const claimKind = (store: JobStore, kind: string, workerId = 'worker-dep') =>
  store.claim({ workerId, kinds: [kind], limit: 10, leaseSeconds: 30 });

/** A child of `parents` of a kind of its own, so a claim of that kind can only start it. */
async function child(
  jobs: JobFactory,
  store: JobStore,
  parents: readonly Job[],
  kind: string,
  onParentFailure?: OnParentFailure,
  userId: string | null = null,
): Promise<Job> {
  jobs.kinds.register(stubKind(kind));
  const result = await store.enqueue(
    jobs.resolve({
      kind,
      userId,
      dependsOn: parents.map((parent) => parent.id),
      ...(onParentFailure ? { onParentFailure } : {}),
    }),
  );
  return result.job;
}

/** Claims the one pending job of `kind` and completes it with `result`. */
async function runToCompletion(store: JobStore, kind: string, result = { ok: true }): Promise<Job> {
  const [claimed] = await claimKind(store, kind);
  if (!claimed) throw new Error(`no ${kind} job to claim`);
  return store.complete(leaseOf(claimed), result);
}

async function runToFailure(store: JobStore, kind: string): Promise<Job> {
  const [claimed] = await claimKind(store, kind);
  if (!claimed) throw new Error(`no ${kind} job to claim`);
  return store.fail(leaseOf(claimed), {
    code: 'HANDLER_FAILED',
    message: 'the handler threw',
    details: null,
    terminalStatus: 'failed',
    retryAfterSeconds: null,
  });
}

/**
 * The statistics rollups, kept by trigger through every status change the dependency triggers made,
 * equal a recount from the jobs (`rebuildRollups`).
 */
async function expectRollupsMatchRecount(store: JobStore): Promise<void> {
  // Counts only: the oldest pending job's age moves with the clock between the two reads.
  const counts = async () => {
    const { oldestPendingJobAgeMinutes: _age, ...health } = await store.health(ALL_JOBS);
    const statistics = await store.statistics(1, ALL_JOBS);
    return {
      health,
      totals: statistics.totals,
      priorities: statistics.priorityDistribution,
      errorCodes: statistics.errorCodes,
      retried: statistics.retriedJobs,
    };
  };
  const maintained = await counts();
  await store.rebuildRollups();
  expect(await counts()).toEqual(maintained);
}

describe('jobs that wait for others', () => {
  const ctx = useConformanceDatabase();

  it('a child waits, is never claimed while waiting, and says what it waits for', async () => {
    const { store, jobs } = ctx();
    const parent = await jobs.pending({ kind: 'noop' });
    const waiting = await child(jobs, store, [parent], 'child-a');
    expect(waiting.status).toBe('waiting');
    expect(await mustGet(store, waiting.id)).toEqual(waiting);
    expect(await claimKind(store, 'child-a')).toEqual([]);
    expect(await store.dependencies(waiting.id, ALL_JOBS)).toEqual({
      parentIds: [parent.id],
      childIds: [],
      onParentFailure: 'fail',
    });
    expect(await store.dependencies(parent.id, ALL_JOBS)).toMatchObject({
      parentIds: [],
      childIds: [waiting.id],
    });
    expect((await store.health(ALL_JOBS)).waiting).toBe(1);
    expect((await store.health(ALL_JOBS, 1)).waiting).toBe(1);
    expect((await store.statistics(1, ALL_JOBS)).totals.waiting).toBe(1);
    const page = await store.list({ includeFinished: false, limit: 10 }, ALL_JOBS);
    expect(page.jobs.map((job) => job.id)).toContain(waiting.id);
  });

  it('becomes pending in the transaction of the last parent’s completion, never before', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('parent-1'));
    jobs.kinds.register(stubKind('parent-2'));
    const first = (await store.enqueue(jobs.resolve({ kind: 'parent-1' }))).job;
    const second = (await store.enqueue(jobs.resolve({ kind: 'parent-2' }))).job;
    const waiting = await child(jobs, store, [first, second], 'child-b');

    await runToCompletion(store, 'parent-1');
    expect((await mustGet(store, waiting.id)).status).toBe('waiting');
    expect(await claimKind(store, 'child-b')).toEqual([]);

    await runToCompletion(store, 'parent-2');
    // The very next statement finds it claimable: no sweep, no second write in between.
    const [claimed] = await claimKind(store, 'child-b');
    expect(claimed?.id).toBe(waiting.id);
    expect(await eventTypes(store, waiting.id)).toEqual(['created', 'ready', 'started']);
  });

  it('a batch completion (completeMany) readies the children too', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('batch-parent'));
    const parent = (await store.enqueue(jobs.resolve({ kind: 'batch-parent' }))).job;
    const waiting = await child(jobs, store, [parent], 'child-batch');
    const [claimed] = await claimKind(store, 'batch-parent');
    expect(await store.completeMany([{ lease: leaseOf(claimed as Job), result: { n: 1 } }])).toEqual([true]);
    expect((await claimKind(store, 'child-batch')).map((job) => job.id)).toEqual([waiting.id]);
  });

  const failureRules: { rule: OnParentFailure; status: string }[] = [
    { rule: 'fail', status: 'failed' },
    { rule: 'cancel', status: 'cancelled' },
    { rule: 'run', status: 'pending' },
  ];

  for (const { rule, status } of failureRules) {
    it(`on_parent_failure ${rule}: a parent that fails leaves the child ${status}`, async () => {
      const { store, jobs } = ctx();
      jobs.kinds.register(stubKind('fails'));
      const parent = (await store.enqueue(jobs.resolve({ kind: 'fails' }))).job;
      const waiting = await child(jobs, store, [parent], `child-f-${rule}`, rule);
      await runToFailure(store, 'fails');
      const after = await mustGet(store, waiting.id);
      expect(after.status).toBe(status);
      if (rule === 'run') {
        expect(after.errorCode).toBeNull();
        expect((await claimKind(store, `child-f-${rule}`)).map((job) => job.id)).toEqual([waiting.id]);
      } else {
        expect(after.errorCode).toBe('PARENT_FAILED');
        expect(after.completedAt).not.toBeNull();
      }
    });

    it(`on_parent_failure ${rule}: cancelling a parent leaves the child ${status}`, async () => {
      const { store, jobs } = ctx();
      const parent = await jobs.pending({ kind: 'noop' });
      const waiting = await child(jobs, store, [parent], `child-c-${rule}`, rule);
      await store.cancel(parent.id, 'not needed', ALL_JOBS);
      const after = await mustGet(store, waiting.id);
      expect(after.status).toBe(status);
      if (rule !== 'run') expect(after.errorCode).toBe('PARENT_CANCELLED');
    });
  }

  it('a running parent cancelled by its worker settles its children when it ends cancelled', async () => {
    const { store, jobs } = ctx();
    const { job: parent, lease } = await jobs.running();
    const waiting = await child(jobs, store, [parent], 'child-running-cancel');
    await store.cancel(parent.id, null, ALL_JOBS);
    expect((await mustGet(store, waiting.id)).status).toBe('waiting');
    await store.markCancelled(lease, null);
    expect(await mustGet(store, waiting.id)).toMatchObject({
      status: 'failed',
      errorCode: 'PARENT_CANCELLED',
    });
  });

  it('a parent’s cancel reaches the grandchildren, each by its own rule', async () => {
    const { store, jobs } = ctx();
    const root = await jobs.pending({ kind: 'noop' });
    const middle = await child(jobs, store, [root], 'middle', 'cancel');
    const failing = await child(jobs, store, [middle], 'grandchild-fail', 'fail');
    const running = await child(jobs, store, [middle], 'grandchild-run', 'run');
    const great = await child(jobs, store, [failing], 'great-grandchild', 'fail');
    await store.cancel(root.id, null, ALL_JOBS);
    expect(await mustGet(store, middle.id)).toMatchObject({
      status: 'cancelled',
      errorCode: 'PARENT_CANCELLED',
    });
    expect(await mustGet(store, failing.id)).toMatchObject({
      status: 'failed',
      errorCode: 'PARENT_CANCELLED',
    });
    expect(await mustGet(store, great.id)).toMatchObject({ status: 'failed', errorCode: 'PARENT_CANCELLED' });
    expect(await mustGet(store, running.id)).toMatchObject({ status: 'pending', errorCode: null });
    expect((await store.health(ALL_JOBS)).waiting).toBe(0);
    await expectRollupsMatchRecount(store);
  });

  it('a manual retry of a failed parent revives the children it failed, down the line', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('flaky'));
    const parent = (await store.enqueue(jobs.resolve({ kind: 'flaky', maxRetries: 0 }))).job;
    const middle = await child(jobs, store, [parent], 'revived-middle');
    const grandchild = await child(jobs, store, [middle], 'revived-grandchild');
    await runToFailure(store, 'flaky');
    expect((await mustGet(store, middle.id)).status).toBe('failed');
    expect((await mustGet(store, grandchild.id)).status).toBe('failed');

    await store.retry(parent.id, { force: true }, ALL_JOBS);
    expect(await mustGet(store, middle.id)).toMatchObject({
      status: 'waiting',
      errorCode: null,
      completedAt: null,
    });
    expect(await mustGet(store, grandchild.id)).toMatchObject({ status: 'waiting', errorCode: null });
    expect(await eventTypes(store, middle.id)).toEqual(['created', 'failed', 'retried']);

    await runToCompletion(store, 'flaky');
    expect(await claimKind(store, 'revived-grandchild')).toEqual([]);
    await runToCompletion(store, 'revived-middle');
    expect((await claimKind(store, 'revived-grandchild')).map((job) => job.id)).toEqual([grandchild.id]);
    await expectRollupsMatchRecount(store);
  });

  it('refuses an unknown parent with PARENT_NOT_FOUND and writes nothing', async () => {
    const { t, store, jobs } = ctx();
    const parent = await jobs.pending({ kind: 'noop' });
    const before = await snapshotTables(t);
    const unknown = '0190a7a5-0000-7000-8000-000000000000';
    const error = await store
      .enqueue(jobs.resolve({ kind: 'noop', dependsOn: [parent.id, unknown] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PARENT_NOT_FOUND', details: { parent_ids: [unknown] } });
    expect(await snapshotTables(t)).toEqual(before);
  });

  it('another user’s job counts as not found, and nothing is written', async () => {
    const { t, store, jobs } = ctx();
    const bobs = await jobs.pending({ kind: 'noop', userId: 'bob' });
    const before = await snapshotTables(t);
    await expectRejectsWith(
      store.enqueue(jobs.resolve({ kind: 'noop', userId: 'alice', dependsOn: [bobs.id] })),
      'PARENT_NOT_FOUND',
    );
    expect(await snapshotTables(t)).toEqual(before);
    expect(await store.dependencies(bobs.id, ownedBy('alice'))).toBeNull();
    const own = await child(jobs, store, [bobs], 'bobs-child', undefined, 'bob');
    expect(own.status).toBe('waiting');
  });

  it('a child of a parent that already failed applies its rule at once', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed();
    const done = await jobs.completed();
    expect(await child(jobs, store, [failed, done], 'late-fail')).toMatchObject({
      status: 'failed',
      errorCode: 'PARENT_FAILED',
    });
    expect((await child(jobs, store, [failed, done], 'late-run', 'run')).status).toBe('pending');
    expect((await child(jobs, store, [done], 'late-done')).status).toBe('pending');
  });

  it('a parent whose worker was lost is recovered, completes, and then its child runs', async () => {
    const { t, store, jobs } = ctx();
    const { job: parent } = await jobs.running();
    const waiting = await child(jobs, store, [parent], 'after-crash');
    await expireLease(t, parent.id);
    const recovered = await store.recoverExpiredLeases();
    expect(recovered.requeued).toEqual([parent.id]);
    expect((await mustGet(store, waiting.id)).status).toBe('waiting');
    const [again] = await claimKind(store, parent.kind, 'worker-b');
    expect(again?.id).toBe(parent.id);
    await store.complete(leaseOf(again as Job), { rendered: true });
    expect((await claimKind(store, 'after-crash')).map((job) => job.id)).toEqual([waiting.id]);
  });

  it('the child’s handler reads its parents’ results', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('producer'));
    const a = (await store.enqueue(jobs.resolve({ kind: 'producer' }))).job;
    const b = (await store.enqueue(jobs.resolve({ kind: 'producer' }))).job;
    const consumer = await child(jobs, store, [a, b], 'consumer');
    const [first, second] = await claimKind(store, 'producer');
    await store.complete(leaseOf(first as Job), { part: first?.id ?? '' });
    await store.complete(leaseOf(second as Job), { part: second?.id ?? '' });
    const [claimed] = await claimKind(store, 'consumer');
    expect(claimed?.id).toBe(consumer.id);
    const context = new RunningJobContext(
      claimed as Job,
      leaseOf(claimed as Job),
      new JobAbort(),
      (lease, update) => store.reportProgress(lease, update),
      (jobId) => readParentResults(store, jobId),
    );
    const expected = [a, b]
      .map((parent) => ({
        jobId: parent.id,
        kind: 'producer',
        status: 'completed',
        result: { part: parent.id },
      }))
      .sort((x, y) => (x.jobId < y.jobId ? -1 : 1));
    expect(await context.parentResults()).toEqual(expected);
  });

  it('a retried child whose parents have not all completed waits again', async () => {
    const { store, jobs } = ctx();
    const parent = await jobs.pending({ kind: 'noop' });
    const waiting = await child(jobs, store, [parent], 'cancel-then-retry');
    await store.cancel(waiting.id, null, ALL_JOBS);
    expect((await mustGet(store, waiting.id)).status).toBe('cancelled');
    const retried = await store.retry(waiting.id, { force: true }, ALL_JOBS);
    expect(retried.status).toBe('waiting');
    expect(await claimKind(store, 'cancel-then-retry')).toEqual([]);
  });
});
