/**
 * Moving jobs between databases (`exportJobs` / `importJobs`, src/jobs/transfer.ts): jobs in every
 * state exported from one database and imported into a fresh one, of the same dialect or the other,
 * read back the same (rows, points, logs); a running job comes back pending; the statistics rollups
 * equal a recount; taken ids are skipped or refuse their batch; a refused line writes nothing.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobEvent } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { EXPORT_PAGE_SIZE, exportLines, importLines } from '../../src/jobs/transfer.js';
import { parseJobLine } from '../../src/jobs/transfer-lines.js';
import { expectCode, mustGet, rejectionOf, useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { JobFactory } from '../support/job-factory.js';

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
