/**
 * `PATCH /api/presentations/jobs/{id}` `{priority}` over real HTTP: a pending job's priority changes
 * and its queue position with it; a bad body is a 400 that changes nothing; another user's job is a
 * 404; a running or finished job is a 409 JOB_NOT_PENDING.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { createJob, errorOf, getJob, json, rowCounts, type WireJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

describe("HTTP API: changing a pending job's priority", () => {
  let api: ApiHarness;

  beforeAll(async () => {
    // No worker: jobs stay pending until a test claims one.
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
  });
  afterAll(() => api.close());

  const patch = (user: TestUser, id: string, body: unknown) =>
    api.call(user, 'PATCH', `/api/presentations/jobs/${id}`, body);

  it("moves the owner's job to the front of the queue and records the change", async () => {
    const user = await api.createUser();
    await createJob(api, user, { ...TINY_LESSON, priority: 'normal' });
    await createJob(api, user, { ...TINY_LESSON, priority: 'normal' });
    const last = await createJob(api, user, { ...TINY_LESSON, priority: 'low' });
    expect((await getJob(api, user, last.id)).queue_position).toBeGreaterThanOrEqual(2);

    const response = await patch(user, last.id, { priority: 'urgent' });
    expect(response.status).toBe(200);
    const changed = await json<WireJob>(response);
    expect(changed).toMatchObject({
      job_id: last.id,
      status: 'pending',
      priority: 'urgent',
      queue_position: 0,
    });
    expect(await getJob(api, user, last.id)).toMatchObject({ priority: 'urgent', queue_position: 0 });
    const events = await api.app.jobs.listEvents(last.id, FROM_THE_START, 10);
    expect(events.map((event) => event.type)).toEqual(['created', 'priority_changed']);
    expect(events[1]?.data).toEqual({ priority: 'urgent' });
  });

  it('refuses a bad body with a 400 and a code, changing nothing', async () => {
    const user = await api.createUser();
    const job = await createJob(api, user, { ...TINY_LESSON, priority: 'low' });
    const before = await rowCounts(api);
    for (const body of [
      {},
      { priority: 'extreme' },
      { priority: 3 },
      { priority: 'high', status: 'running' },
      null,
    ]) {
      const response = await patch(user, job.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).code).toBe('VALIDATION_FAILED');
    }
    expect(await rowCounts(api)).toEqual(before);
    expect((await getJob(api, user, job.id)).priority).toBe('low');
  });

  it("answers 404 for another user's job or an unknown one; an admin may change anyone's", async () => {
    const owner = await api.createUser();
    const stranger = await api.createUser();
    const job = await createJob(api, owner, { ...TINY_LESSON, priority: 'low' });
    for (const [user, id] of [
      [stranger, job.id],
      [owner, randomUUID()],
    ] as const) {
      const response = await patch(user, id, { priority: 'urgent' });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('JOB_NOT_FOUND');
    }
    expect((await getJob(api, owner, job.id)).priority).toBe('low');
    const byAdmin = await patch(api.admin, job.id, { priority: 'high' });
    expect(byAdmin.status).toBe(200);
    expect((await getJob(api, owner, job.id)).priority).toBe('high');
  });

  it('answers 409 JOB_NOT_PENDING for a running or finished job, which keeps its priority', async () => {
    const user = await api.createUser();
    const running = await createJob(api, user, { ...TINY_LESSON, priority: 'urgent' });
    // Claims every pending job, the earlier tests' too (they are done with them).
    const claimed = await api.app.jobs.claim({
      workerId: 'priority-test-worker',
      kinds: ['presentation'],
      limit: 50,
      leaseSeconds: 60,
    });
    expect(claimed.map((job) => job.id)).toContain(running.id);
    const cancelled = await createJob(api, user, { ...TINY_LESSON, priority: 'low' });
    expect((await api.call(user, 'POST', `/api/presentations/jobs/${cancelled.id}/cancel`, {})).status).toBe(
      200,
    );
    for (const [job, status, priority] of [
      [running, 'running', 'urgent'],
      [cancelled, 'cancelled', 'low'],
    ] as const) {
      const response = await patch(user, job.id, { priority: 'normal' });
      expect(response.status).toBe(409);
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: 'JOB_NOT_PENDING', details: { status } });
      expect(await getJob(api, user, job.id)).toMatchObject({ status, priority });
    }
  });
});
