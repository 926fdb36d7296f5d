/**
 * Job operations over real HTTP: cancel (a pending job never runs), retry with force_retry, bulk
 * cancel with a reason, cleanup by age, statistics by period, recovery (admin), list filters and
 * cursor paging, and the 409 codes for operations a job's state does not allow.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { createJob, errorOf, getJob, json, untilStatus, type WireJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { expireLease, setCreatedHoursAgo, setFinishedHoursAgo } from '../support/db-fixtures.js';

describe('HTTP API: job operations', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    // No worker: jobs stay pending until a test runs one.
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
  });
  afterAll(() => api.close());

  const post = (user: TestUser, path: string, body: unknown = {}) => api.call(user, 'POST', path, body);
  const cancel = (user: TestUser, id: string, body: unknown = {}) =>
    post(user, `/api/presentations/jobs/${id}/cancel`, body);
  const retry = (user: TestUser, id: string, body: unknown = {}) =>
    post(user, `/api/presentations/jobs/${id}/retry`, body);

  /** Claims the (only urgent) pending job as a worker would: it is running until the lease ends. */
  async function claimAsWorker(id: string) {
    const [claimed] = await api.app.jobs.claim({
      workerId: 'operations-test-worker',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(id);
    return leaseOf(claimed!);
  }

  it('cancels a pending job, which then never runs, and retries it with force_retry', async () => {
    const user = await api.createUser();
    const doomed = await createJob(api, user, { ...TINY_LESSON, max_retries: 0, priority: 'urgent' });
    const other = await createJob(api, user, { ...TINY_LESSON, priority: 'low' });
    const response = await cancel(user, doomed.id, { reason: 'not needed' });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: 'cancelled', cancel_reason: 'not needed' });

    // A worker runs everything it can: the other job, never the cancelled one.
    const worker = api.app.createWorker();
    worker.start();
    try {
      await untilStatus(api, user, other.id, 'completed');
    } finally {
      await worker.stop();
    }
    const after = await getJob(api, user, doomed.id);
    expect(after).toMatchObject({ status: 'cancelled', started_at: null, attempt: 0 });
    const events = await api.app.jobs.listEvents(doomed.id, FROM_THE_START, 100);
    expect(events.map((e) => e.type)).toEqual(['created', 'cancelled']);

    // Its retries are used up (max_retries 0): only force_retry queues it again.
    const refused = await retry(user, doomed.id, { force_retry: false });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).code).toBe('RETRY_LIMIT_REACHED');
    const forced = await retry(user, doomed.id, { force_retry: true });
    expect(forced.status).toBe(200);
    expect(await json(forced)).toMatchObject({ id: doomed.id, status: 'pending' });
    expect((await cancel(user, doomed.id)).status).toBe(200);

    // A completed job cannot be cancelled, nor retried.
    const notCancellable = await cancel(user, other.id);
    expect(notCancellable.status).toBe(409);
    expect((await errorOf(notCancellable)).code).toBe('JOB_NOT_CANCELLABLE');
    const notRetryable = await retry(user, other.id, { force_retry: true });
    expect(notRetryable.status).toBe(409);
    expect((await errorOf(notRetryable)).code).toBe('JOB_NOT_RETRYABLE');
  });

  it('answers 409 JOB_NOT_RETRYABLE for a running job, and 202 to a cancel that the worker must carry out', async () => {
    const user = await api.createUser();
    const job = await createJob(api, user, { ...TINY_LESSON, priority: 'urgent' });
    await claimAsWorker(job.id);
    const response = await retry(user, job.id, { force_retry: true });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('JOB_NOT_RETRYABLE');
    expect((await getJob(api, user, job.id)).status).toBe('running');

    const requested = await cancel(user, job.id, { reason: 'stop it' });
    expect(requested.status).toBe(202);
    expect(await json(requested)).toMatchObject({ status: 'running' });
    // Without a worker to stop it, the lease lapses and recovery ends it as cancelled.
    await expireLease(api.t, job.id);
    const recovery = await post(api.admin, '/api/presentations/jobs/system/recovery');
    expect(recovery.status).toBe(200);
    expect((await getJob(api, user, job.id)).status).toBe('cancelled');
  });

  it('cancels many jobs with one ?reason=, reporting finished and unknown ids', async () => {
    const user = await api.createUser();
    const a = await createJob(api, user, TINY_LESSON);
    const b = await createJob(api, user, TINY_LESSON);
    const finished = await createJob(api, user, TINY_LESSON);
    await cancel(user, finished.id);
    const unknown = randomUUID();
    const response = await post(user, '/api/presentations/jobs/bulk-cancel?reason=batch%20stopped', {
      job_ids: [a.id, b.id, finished.id, unknown],
    });
    expect(response.status).toBe(200);
    const outcome = await json<Record<string, unknown>>(response);
    expect(outcome).toMatchObject({
      cancel_requested: [],
      already_finished: [finished.id],
      not_found: [unknown],
      reason: 'batch stopped',
    });
    expect([...(outcome.cancelled as string[])].sort()).toEqual([a.id, b.id].sort());
    for (const id of [a.id, b.id])
      expect(await getJob(api, user, id)).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'batch stopped',
      });
  });

  it('cleans up finished jobs older than max_age_hours, and only those', async () => {
    const user = await api.createUser();
    const old = await createJob(api, user, TINY_LESSON);
    const recent = await createJob(api, user, TINY_LESSON);
    const pending = await createJob(api, user, TINY_LESSON);
    await cancel(user, old.id);
    await cancel(user, recent.id);
    await setFinishedHoursAgo(api.t, old.id, 48);
    await setFinishedHoursAgo(api.t, recent.id, 2);

    const response = await api.call(user, 'DELETE', '/api/presentations/jobs/cleanup?max_age_hours=24');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      deleted: 1,
      max_age_hours: 24,
      age_from: 'completed_at',
      statuses: ['completed', 'failed', 'cancelled', 'timeout'],
    });
    expect((await api.call(user, 'GET', `/api/presentations/jobs/${old.id}`)).status).toBe(404);
    expect((await getJob(api, user, recent.id)).status).toBe('cancelled');
    expect((await getJob(api, user, pending.id)).status).toBe('pending');

    const tighter = await api.call(user, 'DELETE', '/api/presentations/jobs/cleanup?max_age_hours=1');
    expect(await json(tighter)).toMatchObject({ deleted: 1, max_age_hours: 1 });
    expect((await getJob(api, user, pending.id)).status).toBe('pending');
  });

  it('counts statistics and health over the last `hours`, and health over all jobs without it', async () => {
    const user = await api.createUser();
    const old = await createJob(api, user, { ...TINY_LESSON, priority: 'high' });
    await createJob(api, user, TINY_LESSON);
    const cancelled = await createJob(api, user, TINY_LESSON);
    await cancel(user, cancelled.id);
    await setCreatedHoursAgo(api.t, old.id, 48);

    const stats = async (hours: number) =>
      json<{
        period_hours: number;
        total: number;
        by_status: Record<string, number>;
        priority_distribution: unknown;
      }>(await api.call(user, 'GET', `/api/presentations/jobs/statistics?hours=${hours}`));
    expect(await stats(24)).toMatchObject({
      period_hours: 24,
      total: 2,
      by_status: { pending: 1, cancelled: 1 },
    });
    expect(await stats(72)).toMatchObject({
      period_hours: 72,
      total: 3,
      by_status: { pending: 2, cancelled: 1 },
    });
    expect(await stats(0.5)).toMatchObject({ period_hours: 0.5, total: 2 });

    const health = async (query: string) =>
      json<Record<string, unknown>>(await api.call(user, 'GET', `/api/presentations/jobs/health${query}`));
    const all = await health('');
    expect(all).toMatchObject({ period_hours: null, total: 3, pending: 2, cancelled: 1, running: 0 });
    // The jobs created in the window (seed 003); the oldest pending job's age is the queue's.
    const day = await health('?hours=24');
    expect(day).toMatchObject({ period_hours: 24, total: 2, pending: 1, cancelled: 1, running: 0 });
    expect(day.failure_rate).toBe(0);
    for (const figures of [all, day]) {
      expect(figures.oldest_pending_job_age_minutes).toBeGreaterThanOrEqual(48 * 60 - 1);
    }
    expect(await health('?hours=72')).toMatchObject({ period_hours: 72, total: 3, pending: 2 });
  });

  it('re-queues a running job whose worker went silent, on an admin recovery with timeout_minutes', async () => {
    const user = await api.createUser();
    const job = await createJob(api, user, { ...TINY_LESSON, priority: 'urgent', max_retries: 3 });
    await claimAsWorker(job.id);
    await expireLease(api.t, job.id);

    expect((await post(user, '/api/presentations/jobs/system/recovery?timeout_minutes=30')).status).toBe(403);
    const response = await post(api.admin, '/api/presentations/jobs/system/recovery?timeout_minutes=30');
    expect(response.status).toBe(200);
    const outcome = await json<{ timeout_minutes: number; requeued: string[] }>(response);
    expect(outcome.timeout_minutes).toBe(30);
    expect(outcome.requeued).toContain(job.id);
    expect(await getJob(api, user, job.id)).toMatchObject({ status: 'pending', worker_id: null });
    await cancel(user, job.id);
  });

  it('filters the list by status and priority, and pages through it with a cursor, newest first', async () => {
    const user = await api.createUser();
    const created: WireJob[] = [];
    for (const priority of ['low', 'normal', 'high', 'urgent', 'normal', 'high', 'low'])
      created.push(await createJob(api, user, { ...TINY_LESSON, priority }));
    await cancel(user, created[0]!.id);
    await cancel(user, created[1]!.id);

    const list = async (query: string) =>
      json<{ jobs: WireJob[]; count: number; next_cursor: string | null }>(
        await api.call(user, 'GET', `/api/presentations/jobs?${query}`),
      );
    const idsOf = (jobs: WireJob[]) => jobs.map((job) => job.id);
    const newestFirst = [...created].reverse();

    const all = await list('include_finished=true&limit=100');
    expect(idsOf(all.jobs)).toEqual(idsOf(newestFirst));
    const active = await list('include_finished=false');
    expect(idsOf(active.jobs)).toEqual(idsOf(newestFirst.slice(0, 5)));
    const cancelled = await list('status=cancelled');
    expect(idsOf(cancelled.jobs)).toEqual([created[1]!.id, created[0]!.id]);
    const high = await list('priority=high,urgent&include_finished=true');
    expect(high.jobs.map((job) => job.priority)).toEqual(['high', 'urgent', 'high']);
    const pendingLow = await list('status=pending&priority=low');
    expect(idsOf(pendingLow.jobs)).toEqual([created[6]!.id]);
    const unknown = await api.call(user, 'GET', '/api/presentations/jobs?status=sleeping');
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).code).toBe('VALIDATION_FAILED');

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(
        `include_finished=true&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.count).toBe(page.jobs.length);
      expect(page.count).toBeLessThanOrEqual(3);
      paged.push(...idsOf(page.jobs));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(paged).toEqual(idsOf(newestFirst));

    const badCursor = await api.call(user, 'GET', '/api/presentations/jobs?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect((await errorOf(badCursor)).code).toEqual(expect.any(String));
  });

  it('filters the list by kind and id prefix, and answers a job with its payload when asked', async () => {
    const user = await api.createUser();
    const render = await createJob(api, user, { ...TINY_LESSON, style: 'scrolling' });
    const { job: sleeper } = await api.app.enqueue({ kind: 'sleep', payload: { ms: 5 }, userId: user.id });
    const list = async (query: string) =>
      json<{ jobs: WireJob[] }>(await api.call(user, 'GET', `/api/presentations/jobs?${query}`));
    const idsOf = async (query: string) => (await list(query)).jobs.map((job) => job.id);

    expect(await idsOf('kind=sleep')).toEqual([sleeper.id]);
    expect(await idsOf('kind=presentation')).toEqual([render.id]);
    expect(await idsOf('kind=sleep,presentation')).toEqual([sleeper.id, render.id]);
    expect(await idsOf(`id_prefix=${render.id}`)).toEqual([render.id]);
    expect(await idsOf(`id_prefix=${sleeper.id.replaceAll('-', '').toUpperCase()}`)).toEqual([sleeper.id]);
    for (const bad of ['zz', '0'.repeat(37)]) {
      const refused = await api.call(user, 'GET', `/api/presentations/jobs?id_prefix=${bad}`);
      expect(refused.status).toBe(400);
      expect((await errorOf(refused)).code).toBe('VALIDATION_FAILED');
    }

    const plain = await json<Record<string, unknown>>(
      await api.call(user, 'GET', `/api/presentations/jobs/${render.id}`),
    );
    expect(plain).not.toHaveProperty('payload');
    const withPayload = await json<Record<string, unknown>>(
      await api.call(user, 'GET', `/api/presentations/jobs/${render.id}?include_payload=true`),
    );
    expect(withPayload).toMatchObject({
      id: render.id,
      payload: { style: 'scrolling', lesson: TINY_LESSON.lesson },
    });
    await cancel(user, render.id);
    await cancel(user, sleeper.id);
  });
});
