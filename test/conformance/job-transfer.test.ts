/**
 * Moving jobs between databases (`exportJobs` / `importJobs`, src/jobs/transfer.ts): jobs in every
 * state exported from one database and imported into a fresh one, of the same dialect or the other,
 * read back the same (rows, points, logs); a running job comes back pending; the statistics rollups
 * equal a recount; taken ids are skipped or refuse their batch; a refused line writes nothing.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseOf, type Job, type JobEvent } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { EXPORT_PAGE_SIZE, exportLines, importLines } from '../../src/jobs/transfer.js';
import { parseJobLine } from '../../src/jobs/transfer-lines.js';
import { expectCode, mustGet, rejectionOf, useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { JobFactory, stubKind } from '../support/job-factory.js';

const EXPORTED_AT = new Date('2026-01-02T03:04:05.678Z');
const OTHER_DIALECT = DIALECT === 'sqlite' ? 'postgres' : 'sqlite';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

const exportAll = (store: JobStore) => collect(exportLines(store, {}, EXPORTED_AT));

async function jobCount(t: TestDatabase): Promise<number> {
  const rows = await t.sql<{ n: number | string }>({
    sqlite: 'SELECT count(*) AS n FROM jobs',
    postgres: 'SELECT count(*) AS n FROM jobs',
  });
  return Number(rows[0]?.n ?? 0);
}

/** `store` with a count of the calls made to each of its methods. */
function counted(store: JobStore): { store: JobStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** A job's log without the ids its database gave the events. */
async function logOf(store: JobStore, jobId: string): Promise<Omit<JobEvent, 'id'>[]> {
  const events = await store.listEvents(jobId, FROM_THE_START, 1000);
  const ids = events.map((event) => event.id);
  expect(ids, 'event ids ascend').toEqual([...ids].sort((a, b) => a - b));
  return events.map(({ id: _id, ...rest }) => rest);
}

interface Workload {
  /** Jobs that keep their state. */
  kept: Job[];
  running: Job;
  runningCancelRequested: Job;
}

/** Jobs in every state, with progress reports, points, keys and errors. */
async function buildWorkload(t: TestDatabase, jobs: JobFactory, store: JobStore): Promise<Workload> {
  const owner = await t.db.users.createUser({ points: 50 });
  const pending = await jobs.pending({
    userId: owner.id,
    costPoints: 5,
    idempotencyKey: 'lesson-7',
    priority: 'high',
    payload: { title: 'Fractions', nested: { list: [1, 2.5, 'three', null, true] } },
  });
  await store.changePriority(pending.id, 'urgent', ALL_JOBS);
  const progressed = await jobs.running({ userId: owner.id, costPoints: 3 });
  await store.reportProgress(progressed.lease, {
    progress: 40,
    stage: 'speak',
    message: 'Speaking slide 2 of 5',
    data: { slide: 2 },
  });
  const completed = await store.complete(progressed.lease, { video_url: '/api/videos/x', duration: 12.5 });
  const failed = await jobs.failed({ errorCode: 'RENDER_FAILED', userId: owner.id, costPoints: 2 });
  const timedOut = await jobs.timedOut();
  const cancelled = await jobs.cancelled({ reason: 'not needed' });
  const retrying = await jobs.running({ maxRetries: 2 });
  await store.fail(retrying.lease, {
    code: 'HANDLER_FAILED',
    message: 'first try failed',
    details: { attempt: 1 },
    terminalStatus: 'failed',
    retryAfterSeconds: 30,
  });
  const running = await jobs.running({ workerId: 'worker-old', userId: owner.id, costPoints: 4 });
  await store.reportProgress(running.lease, { progress: 70, stage: 'encode', message: 'Encoding' });
  const stopping = await jobs.running({ workerId: 'worker-old' });
  await store.cancel(stopping.job.id, 'changed my mind', ALL_JOBS);
  const kept = await Promise.all(
    [pending, completed, failed, timedOut, cancelled, retrying.job].map((job) => mustGet(store, job.id)),
  );
  return {
    kept,
    running: await mustGet(store, running.job.id),
    runningCancelRequested: await mustGet(store, stopping.job.id),
  };
}

/** Exports `from`, imports into `to`, and checks every job reads back as it should. */
async function expectRoundTrip(source: TestDatabase, jobs: JobFactory, target: TestDatabase): Promise<void> {
  const from = source.db.jobs;
  const to = target.db.jobs;
  const workload = await buildWorkload(source, jobs, from);
  const lines = await exportAll(from);
  expect(lines).toHaveLength(1 + workload.kept.length + 2);
  expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'reelqueue-jobs', version: 1, videos: false });

  const summary = await importLines(to, () => lines, { onConflict: 'fail' });
  expect(summary).toEqual({ jobs: lines.length - 1, imported: lines.length - 1, skipped: 0, requeued: 2 });

  for (const job of workload.kept) {
    expect(await to.get(job.id, ALL_JOBS), `${job.status} job ${job.id}`).toEqual(job);
    expect(await logOf(to, job.id)).toEqual(await logOf(from, job.id));
  }
  // Every column, points included: the kept jobs' lines exported again from the new database.
  const again = await exportAll(to);
  const keptIds = new Set(workload.kept.map((job) => job.id));
  // Parsed: PostgreSQL's jsonb keeps an object's keys in an order of its own.
  const keptLines = (all: string[]) =>
    all
      .slice(1)
      .map((line) => JSON.parse(line) as { id: string })
      .filter((line) => keptIds.has(line.id));
  expect(keptLines(again)).toEqual(keptLines(lines));

  const requeued = await mustGet(to, workload.running.id);
  expect(requeued).toMatchObject({
    status: 'pending',
    workerId: null,
    leaseExpiresAt: null,
    progress: 0,
    attempt: workload.running.attempt,
    retryCount: workload.running.retryCount,
    startedAt: workload.running.startedAt,
  });
  const requeuedLog = await logOf(to, workload.running.id);
  expect(requeuedLog.slice(0, -1)).toEqual(await logOf(from, workload.running.id));
  expect(requeuedLog.at(-1)).toMatchObject({ type: 'released', status: 'pending', workerId: null });

  const stopped = await mustGet(to, workload.runningCancelRequested.id);
  expect(stopped).toMatchObject({ status: 'cancelled', errorCode: 'JOB_CANCELLED' });
  expect((await logOf(to, stopped.id)).at(-1)).toMatchObject({ type: 'cancelled', status: 'cancelled' });

  // The new database runs what it imported: the re-queued job is claimed and completed there.
  const claimed = await to.claim({
    workerId: 'worker-new',
    kinds: [workload.running.kind],
    limit: 5,
    leaseSeconds: 30,
  });
  expect(claimed.map((job) => job.id)).toEqual([workload.running.id]);
  expect(claimed[0]?.attempt).toBe(workload.running.attempt + 1);
  const done = await to.complete(
    { jobId: workload.running.id, attempt: claimed[0]!.attempt, workerId: 'worker-new' },
    {},
  );
  expect(done.status).toBe('completed');
}

async function foldAll(store: JobStore): Promise<void> {
  while ((await store.foldRollups()) > 0);
}

/** Every non-empty rollup row, as comparable text. */
async function rollupRows(t: TestDatabase): Promise<string[]> {
  const read = async (table: string, key: string, values: string) =>
    (
      await t.sql<Record<string, unknown>>({
        sqlite: `SELECT ${key}, ${values} FROM ${table} WHERE jobs <> 0 ORDER BY ${key}`,
        postgres: `SELECT ${key}, ${values} FROM ${table} WHERE jobs <> 0 ORDER BY ${key}`,
      })
    ).map((row) =>
      JSON.stringify(
        Object.entries(row).map(([name, value]) =>
          name === 'seconds'
            ? Math.round(Number(value) * 1e6) / 1e6
            : typeof value === 'boolean'
              ? Number(value)
              : String(value),
        ),
      ),
    );
  return [
    ...(await read('job_count_rollups', 'span_ms, bucket_ms, kind, status, priority, retried', 'jobs')),
    ...(await read('job_error_rollups', 'span_ms, bucket_ms, error_code', 'jobs')),
    ...(await read('job_duration_rollups', 'span_ms, bucket_ms, duration_bucket', 'jobs, seconds')),
  ];
}

interface Family {
  /** Pending, with children: `waiting` (and `released`, completed before). */
  parent: Job;
  /** Waits for `parent` (one of its two parents left; the other completed), rule `cancel`. */
  waiting: Job;
  /** Pending: its one parent completed. */
  released: Job;
  /** Failed by its parent (PARENT_FAILED). */
  failedChild: Job;
  all: Job[];
}

/** Parents and children in each state a dependency leaves them in (migration 0030). */
async function buildFamily(jobs: JobFactory, store: JobStore): Promise<Family> {
  for (const kind of ['xfer-parent', 'xfer-waiting', 'xfer-released', 'xfer-failed']) {
    jobs.kinds.register(stubKind(kind));
  }
  const parent = await jobs.pending({ kind: 'xfer-parent' });
  const doneParent = await jobs.running();
  const failedParent = await jobs.running();
  const child = async (kind: string, parentIds: string[], rule?: 'cancel') =>
    (
      await store.enqueue(
        jobs.resolve({ kind, dependsOn: parentIds, ...(rule ? { onParentFailure: rule } : {}) }),
      )
    ).job;
  const waiting = await child('xfer-waiting', [parent.id, doneParent.job.id], 'cancel');
  const released = await child('xfer-released', [doneParent.job.id]);
  const failedChild = await child('xfer-failed', [failedParent.job.id]);
  await store.complete(doneParent.lease, { ok: true });
  await store.fail(failedParent.lease, {
    code: 'HANDLER_FAILED',
    message: 'the handler threw',
    details: null,
    terminalStatus: 'failed',
    retryAfterSeconds: null,
  });
  const ids = [parent.id, doneParent.job.id, failedParent.job.id, waiting.id, released.id, failedChild.id];
  const all = await Promise.all(ids.map((id) => mustGet(store, id)));
  const family = {
    parent: all[0]!,
    waiting: all[3]!,
    released: all[4]!,
    failedChild: all[5]!,
    all,
  };
  expect(family.waiting.status).toBe('waiting');
  expect(family.released.status).toBe('pending');
  expect(family.failedChild).toMatchObject({ status: 'failed', errorCode: 'PARENT_FAILED' });
  return family;
}

/** Exports a family from `source`, imports it into `target`: the graph and its states come along. */
async function expectFamilyMoves(
  source: TestDatabase,
  jobs: JobFactory,
  target: TestDatabase,
): Promise<void> {
  const from = source.db.jobs;
  const to = target.db.jobs;
  const family = await buildFamily(jobs, from);
  const lines = await exportAll(from);
  expect(JSON.parse(lines.find((line) => line.includes(family.waiting.id))!)).toMatchObject({
    on_parent_failure: 'cancel',
    waiting_parents: 1,
  });
  await importLines(to, () => lines, { onConflict: 'fail' });
  for (const job of family.all) {
    expect(await to.get(job.id, ALL_JOBS), `${job.status} job ${job.id}`).toEqual(job);
    expect(await to.dependencies(job.id, ALL_JOBS)).toEqual(await from.dependencies(job.id, ALL_JOBS));
  }
  // The imported parent settles its imported child in the new database, in its completion.
  const claim = (kind: string) =>
    to.claim({ workerId: 'worker-new', kinds: [kind], limit: 5, leaseSeconds: 30 });
  const [parent] = await claim('xfer-parent');
  expect(parent?.id).toBe(family.parent.id);
  await to.complete(leaseOf(parent!), { ok: true });
  expect((await mustGet(to, family.waiting.id)).status).toBe('pending');
  expect((await claim('xfer-waiting')).map((job) => job.id)).toEqual([family.waiting.id]);
  expect((await claim('xfer-released')).map((job) => job.id)).toEqual([family.released.id]);
  expect(await claim('xfer-failed')).toEqual([]);
}

describe('moving jobs between databases', () => {
  const ctx = useConformanceDatabase();
  const extra: TestDatabase[] = [];
  const fresh = async (dialect = DIALECT) => {
    const t = await createTestDatabase({}, { dialect });
    extra.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of extra.splice(0)) await t.cleanup();
  });

  it('an import into a fresh database reads back every job, its points and its log; a running job comes back pending', async () => {
    const { t, jobs } = ctx();
    await expectRoundTrip(t, jobs, await fresh());
  });

  it(`an export imports into the other dialect (${DIALECT} to ${OTHER_DIALECT}) the same way`, async () => {
    const { t, jobs } = ctx();
    await expectRoundTrip(t, jobs, await fresh(OTHER_DIALECT));
  });

  it(`an export of the other dialect (${OTHER_DIALECT} to ${DIALECT}) imports here the same way`, async () => {
    const { t } = ctx();
    const source = await fresh(OTHER_DIALECT);
    await expectRoundTrip(source, new JobFactory(source.db.jobs, source.config), t);
  });

  it('a waiting child and its parents move with their dependencies; the imported parent releases the child', async () => {
    const { t, jobs } = ctx();
    await expectFamilyMoves(t, jobs, await fresh());
  });

  it(`dependencies move to the other dialect (${DIALECT} to ${OTHER_DIALECT}) and from it`, async () => {
    const { t, jobs } = ctx();
    await expectFamilyMoves(t, jobs, await fresh(OTHER_DIALECT));
    const source = await fresh(OTHER_DIALECT);
    await expectFamilyMoves(source, new JobFactory(source.db.jobs, source.config), await fresh());
  });

  it('a line whose parent is neither in the database nor earlier in the file is refused; nothing is written', async () => {
    const { store, jobs } = ctx();
    const family = await buildFamily(jobs, store);
    const lines = await exportAll(store);
    const withoutParent = lines.filter((line) => !line.includes(`"id":"${family.parent.id}"`));
    const target = await fresh();
    const childLine = withoutParent.findIndex((line) => line.includes(`"id":"${family.waiting.id}"`)) + 1;
    const error = await rejectionOf(importLines(target.db.jobs, () => withoutParent, { onConflict: 'fail' }));
    expectCode(error, 'IMPORT_INVALID_LINE');
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      line: childLine,
      field: 'depends_on',
    });
    expect(await jobCount(target)).toBe(0);
    // The store checks again at write time: the batch is refused whole.
    const record = parseJobLine(withoutParent[childLine - 1]!, childLine);
    const sibling = parseJobLine(withoutParent[1]!, 2);
    expectCode(await rejectionOf(target.db.jobs.importJobs([sibling, record], 'fail')), 'PARENT_NOT_FOUND');
    expect(await jobCount(target)).toBe(0);
  });

  it('the parents the lines name are looked up a chunk per query, in line order: present ones pass, the first line naming an absent one is refused', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('xfer-child'));
    const parents: Job[] = [];
    for (let i = 0; i < 5; i++) parents.push(await jobs.pending());
    for (const parent of parents) {
      await store.enqueue(jobs.resolve({ kind: 'xfer-child', dependsOn: [parent.id] }));
    }
    const [header, ...jobLines] = await exportAll(store);
    const idOf = (line: string) => (JSON.parse(line) as { id: string }).id;
    const parentIds = new Set(parents.map((parent) => parent.id));
    const parentLine = (id: string) => jobLines.find((line) => idOf(line) === id)!;
    const childLines = [header!, ...jobLines.filter((line) => !parentIds.has(idOf(line)))];
    expect(childLines).toHaveLength(6);
    // Every parent but the fourth (its child is on the fourth child line, in the second chunk of 2).
    const absent = (JSON.parse(childLines[4]!) as { depends_on: string[] }).depends_on[0]!;
    const target = await fresh();
    const present = parents.filter((parent) => parent.id !== absent).map((parent) => parentLine(parent.id));
    await importLines(target.db.jobs, () => [header!, ...present], { onConflict: 'fail' });
    expect(await jobCount(target)).toBe(4);

    const refused = counted(target.db.jobs);
    const error = await rejectionOf(
      importLines(refused.store, () => childLines, { onConflict: 'fail', parentCheckChunkSize: 2 }),
    );
    expectCode(error, 'IMPORT_INVALID_LINE');
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      line: 5,
      field: 'depends_on',
    });
    expect((error as Error).message).toContain(absent);
    expect(await jobCount(target)).toBe(4);
    expect(refused.calls.get('get') ?? 0).toBe(0);
    expect(refused.calls.get('storedIds')).toBe(2);

    await importLines(target.db.jobs, () => [header!, parentLine(absent)], { onConflict: 'fail' });
    const accepted = counted(target.db.jobs);
    const summary = await importLines(accepted.store, () => childLines, {
      onConflict: 'fail',
      parentCheckChunkSize: 2,
    });
    expect(summary).toMatchObject({ jobs: 5, imported: 5, skipped: 0 });
    expect(accepted.calls.get('get') ?? 0).toBe(0);
    expect(accepted.calls.get('storedIds')).toBe(3); // 5 parents, 2 a query
    for (const line of childLines.slice(1)) {
      expect(await mustGet(target.db.jobs, idOf(line))).toMatchObject({ status: 'waiting' });
    }
  });

  it('a line without the dependency fields (an older export) has no parents; a waiting one is refused', async () => {
    const { store, jobs } = ctx();
    const family = await buildFamily(jobs, store);
    const lines = await exportAll(store);
    const older = (id: string) => {
      const object = JSON.parse(lines.find((line) => line.includes(`"id":"${id}"`))!) as Record<
        string,
        unknown
      >;
      const { depends_on: _d, on_parent_failure: _o, waiting_parents: _w, ...rest } = object;
      return JSON.stringify(rest);
    };
    expect(parseJobLine(older(family.parent.id), 2)).toMatchObject({
      dependsOn: [],
      onParentFailure: 'fail',
      waitingParents: 0,
    });
    const error = await rejectionOf(Promise.resolve().then(() => parseJobLine(older(family.waiting.id), 2)));
    expectCode(error, 'IMPORT_INVALID_LINE');
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      line: 2,
      field: 'depends_on',
    });
  });

  it('pages through more jobs than a page holds, in id order, with the status and created-since filters', async () => {
    const { store, jobs } = ctx();
    const many = await jobs.pendingMany(EXPORT_PAGE_SIZE + 5);
    const done = await jobs.completed();
    const all = (await exportAll(store)).slice(1).map((line) => JSON.parse(line).id as string);
    expect(all).toEqual([...many.map((job) => job.id), done.id].sort());
    const completed = await collect(exportLines(store, { statuses: ['completed'] }));
    expect(completed.slice(1).map((line) => JSON.parse(line).id)).toEqual([done.id]);
    const future = await collect(exportLines(store, { createdSince: new Date(Date.now() + 3_600_000) }));
    expect(future).toHaveLength(1);
  });

  it('the statistics rollups of the new database equal a recount after the import', async () => {
    const { t, jobs, store } = ctx();
    await buildWorkload(t, jobs, store);
    const target = await fresh();
    await importLines(target.db.jobs, await exportAll(store).then((l) => () => l), { onConflict: 'fail' });
    await foldAll(target.db.jobs);
    const folded = await rollupRows(target);
    expect(folded.length).toBeGreaterThan(0);
    await target.db.jobs.rebuildRollups();
    expect(await rollupRows(target)).toEqual(folded);
    const statistics = await target.db.jobs.statistics(24, ALL_JOBS);
    expect(statistics.total).toBe(8);
    expect(statistics.totals).toMatchObject({
      completed: 1,
      failed: 1,
      timeout: 1,
      cancelled: 2,
      pending: 3,
    });
  });

  it('a second import skips every job already there (skip) and changes nothing', async () => {
    const { store, jobs } = ctx();
    await jobs.completed();
    await jobs.pending({ idempotencyKey: 'k1' });
    const lines = await exportAll(store);
    const target = await fresh();
    await importLines(target.db.jobs, () => lines, { onConflict: 'skip' });
    const before = await exportAll(target.db.jobs);
    const again = await importLines(target.db.jobs, () => lines, { onConflict: 'skip' });
    expect(again).toEqual({ jobs: 2, imported: 0, skipped: 2, requeued: 0 });
    expect(await exportAll(target.db.jobs)).toEqual(before);
  });

  it('a taken id under fail refuses its whole batch (IMPORT_CONFLICT); earlier batches stay imported', async () => {
    const { store, jobs } = ctx();
    const made = await jobs.pendingMany(5);
    const lines = await exportAll(store);
    const target = await fresh();
    const taken = made.map((job) => job.id).sort()[3]!;
    await importLines(target.db.jobs, () => [lines[0]!, lines.find((l) => l.includes(taken))!], {
      onConflict: 'fail',
    });
    // Batches of 3: lines 2–4 go in, lines 5–6 hold the taken id (line 5) and are refused together.
    const error = await rejectionOf(
      importLines(target.db.jobs, () => lines, { onConflict: 'fail', batchSize: 3 }),
    );
    expectCode(error, 'IMPORT_CONFLICT');
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      jobId: taken,
      firstLine: 5,
      lastLine: 6,
      importedBefore: 3,
    });
    expect(await jobCount(target)).toBe(4);
  });

  it('a job whose owner and idempotency key are taken by another job is skipped like a taken id', async () => {
    const { store, jobs } = ctx();
    await jobs.pending({ userId: 'u1', idempotencyKey: 'same' });
    const lines = await exportAll(store);
    const target = await fresh();
    const other = new JobFactory(target.db.jobs, target.config);
    await other.pending({ userId: 'u1', idempotencyKey: 'same' });
    expect(await importLines(target.db.jobs, () => lines, { onConflict: 'skip' })).toMatchObject({
      imported: 0,
      skipped: 1,
    });
    expectCode(
      await rejectionOf(importLines(target.db.jobs, () => lines, { onConflict: 'fail' })),
      'IMPORT_CONFLICT',
    );
  });

  it('a hostile line is refused with its line number (IMPORT_INVALID_LINE) and nothing is written', async () => {
    const { store, jobs } = ctx();
    await jobs.completed();
    await jobs.failed();
    await jobs.pending();
    const lines = await exportAll(store);
    const target = await fresh();
    const FIELDS = Object.keys(JSON.parse(lines[1]!) as object);
    const badValue = fc.oneof(
      fc.constantFrom<unknown>(
        null,
        -1,
        Number.MAX_VALUE,
        2 ** 31,
        1.5,
        '',
        'x\u0000y',
        '\ud800',
        'not-a-time',
        '2026-13-45T99:99:99Z',
        [],
        {},
        { '\u0000': 1 },
        'running-ish',
      ),
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double(),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...FIELDS), value: badValue }),
      fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
      fc.record({ kind: fc.constant('extra' as const), field: fc.string({ minLength: 1, maxLength: 6 }) }),
      fc.record({ kind: fc.constant('text' as const), text: fc.string({ minLength: 1, maxLength: 20 }) }),
      // JSON text that parses to Infinity, which JSON.stringify cannot write.
      fc.record({ kind: fc.constant('infinite' as const), field: fc.constantFrom('payload', 'result') }),
      fc.record({
        kind: fc.constant('event' as const),
        field: fc.constantFrom('at', 'type', 'status', 'progress', 'data'),
        value: badValue,
      }),
    );
    /** A mutation may leave the line valid (another kind, another message): those are not hostile. */
    const stillValid = (line: string): boolean => {
      try {
        parseJobLine(line, 2);
        return true;
      } catch {
        return false;
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: lines.length - 1 }), mutation, async (at, change) => {
        const object = JSON.parse(lines[at]!) as Record<string, unknown>;
        let text: string;
        if (change.kind === 'field') text = JSON.stringify({ ...object, [change.field]: change.value });
        else if (change.kind === 'drop') {
          const { [change.field]: _dropped, ...rest } = object;
          text = JSON.stringify(rest);
        } else if (change.kind === 'extra') {
          text = JSON.stringify(change.field in object ? object : { ...object, [change.field]: 1 });
        } else if (change.kind === 'event') {
          const events = object.events as Record<string, unknown>[];
          text = JSON.stringify({
            ...object,
            events: [...events, { ...events[0], [change.field]: change.value }],
          });
        } else if (change.kind === 'infinite') {
          text = JSON.stringify({ ...object, [change.field]: { n: 0 } }).replace('"n":0', '"n":1e400');
        } else text = change.text;
        fc.pre(!stillValid(text));
        const hostile = [...lines.slice(0, at), text, ...lines.slice(at + 1)];
        const error = await rejectionOf(importLines(target.db.jobs, () => hostile, { onConflict: 'fail' }));
        expectCode(error, 'IMPORT_INVALID_LINE');
        expect((error as { details: { line: number } }).details.line).toBe(at + 1);
        expect(await jobCount(target)).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
