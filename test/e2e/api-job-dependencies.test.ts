/**
 * Jobs that wait for others over real HTTP: `depends_on` and `on_parent_failure` on
 * `POST /api/presentations/generate`, the `waiting` status, `depends_on` / `children` /
 * `on_parent_failure` on the job read, and the refusals (unknown or another user's parent: 404
 * PARENT_NOT_FOUND; a bad rule or id: 400), each changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { createJob, errorOf, getJob, rowCounts } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';

describe('HTTP API: jobs that wait for others', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    // No worker: a test completes a parent itself, through the store.
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
  });
  afterAll(() => api.close());

  const generate = (user: Parameters<ApiHarness['call']>[0], body: object) =>
    api.call(user, 'POST', '/api/presentations/generate', body);

  it('queues a child as waiting and shows parents and children on the job read', async () => {
    const user = await api.createUser();
    const first = await createJob(api, user, TINY_LESSON);
    const second = await createJob(api, user, TINY_LESSON);
    const child = await createJob(api, user, {
      ...TINY_LESSON,
      depends_on: [first.id, second.id],
      on_parent_failure: 'run',
    });
    expect(child).toMatchObject({ status: 'waiting', queue_position: null });
    const read = await getJob(api, user, child.id);
    expect(read).toMatchObject({ status: 'waiting', on_parent_failure: 'run', children: [] });
    expect(read.depends_on).toEqual([first.id, second.id].sort());
    expect(await getJob(api, user, first.id)).toMatchObject({
      depends_on: [],
      children: [child.id],
      on_parent_failure: 'fail',
    });
    // A waiting job is an active one in listings, with its own status filter.
    const listed = await api.call(user, 'GET', '/api/presentations/jobs?status=waiting');
    expect(listed.status).toBe(200);
    const ids = ((await listed.json()) as { jobs: { id: string }[] }).jobs.map((job) => job.id);
    expect(ids).toEqual([child.id]);
    const health = await api.call(user, 'GET', '/api/presentations/jobs/health');
    expect(((await health.json()) as { waiting: number }).waiting).toBe(1);
  });

  it('cancelling the parent over HTTP fails its waiting child (the default rule)', async () => {
    const user = await api.createUser();
    const parent = await createJob(api, user, TINY_LESSON);
    const child = await createJob(api, user, { ...TINY_LESSON, depends_on: [parent.id] });
    const cancel = await api.call(user, 'POST', `/api/presentations/jobs/${parent.id}/cancel`, {});
    expect(cancel.status).toBe(200);
    expect(await getJob(api, user, child.id)).toMatchObject({
      status: 'failed',
      error_code: 'PARENT_CANCELLED',
    });
  });

  it('refuses an unknown parent and another user’s job with 404 PARENT_NOT_FOUND, changing nothing', async () => {
    const owner = await api.createUser();
    const stranger = await api.createUser();
    const theirs = await createJob(api, owner, TINY_LESSON);
    const before = await rowCounts(api);
    for (const parent of [theirs.id, '0190a7a5-0000-7000-8000-000000000000']) {
      const response = await generate(stranger, { ...TINY_LESSON, depends_on: [parent] });
      expect(response.status).toBe(404);
      const error = await errorOf(response);
      expect(error.code).toBe('PARENT_NOT_FOUND');
      expect(error.details).toEqual({ parent_ids: [parent] });
    }
    expect(await rowCounts(api)).toEqual(before);
  });

  it('refuses a bad rule or a malformed id with 400 VALIDATION_FAILED, changing nothing', async () => {
    const user = await api.createUser();
    const parent = await createJob(api, user, TINY_LESSON);
    const before = await rowCounts(api);
    for (const extra of [
      { depends_on: [parent.id], on_parent_failure: 'ignore' },
      { depends_on: ['not-a-job'] },
      { depends_on: parent.id },
    ]) {
      const response = await generate(user, { ...TINY_LESSON, ...extra });
      expect(response.status, JSON.stringify(extra)).toBe(400);
      expect((await errorOf(response)).code).toBe('VALIDATION_FAILED');
    }
    expect(await rowCounts(api)).toEqual(before);
  });

  it('the child becomes pending, with a queue position, once its parent completes', async () => {
    const user = await api.createUser();
    const parent = await createJob(api, user, { ...TINY_LESSON, priority: 'urgent' });
    const child = await createJob(api, user, { ...TINY_LESSON, depends_on: [parent.id] });
    const claimed = await api.app.jobs.claim({
      workerId: 'test-worker',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(claimed.map((job) => job.id)).toEqual([parent.id]);
    await api.app.jobs.complete(leaseOf(claimed[0]!), { presentation_id: 'p1' });
    const read = await getJob(api, user, child.id);
    expect(read.status).toBe('pending');
    expect(read.queue_position).toEqual(expect.any(Number));
  });
});
