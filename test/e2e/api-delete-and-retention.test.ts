/**
 * Deleting jobs over HTTP: one finished job by its owner or an admin, with its video; cleanup by
 * status (seed 004: old failed jobs, completed videos kept) and by created_at in days (seed 002).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { errorOf, json } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { setCreatedHoursAgo, setFinishedHoursAgo } from '../support/db-fixtures.js';

describe('HTTP API: deleting jobs', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
  });
  afterAll(() => api.close());

  /** A job of `user` run to `outcome` by hand, a completed one with a stored video. */
  async function finishedJob(user: TestUser, outcome: 'completed' | 'failed'): Promise<string> {
    // Urgent: claimed before any job the other tests left pending.
    const created = await api.call(user, 'POST', '/api/presentations/generate', {
      ...TINY_LESSON,
      priority: 'urgent',
    });
    expect(created.status).toBe(202);
    const { id } = await json<{ id: string }>(created);
    const [claimed] = await api.app.jobs.claim({
      workerId: 'by-hand',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(id);
    const lease = leaseOf(claimed!);
    if (outcome === 'failed') {
      await api.app.jobs.fail(lease, {
        code: 'HANDLER_FAILED',
        message: 'broken',
        details: null,
        terminalStatus: 'failed',
        retryAfterSeconds: null,
      });
    } else {
      await api.app.database.artifacts.write({
        lease,
        kind: 'video',
        contentType: 'video/mp4',
        source: Readable.from([Buffer.from('mp4 bytes')]),
      });
      await api.app.jobs.complete(lease, { presentation_id: id });
    }
    return id;
  }

  it('deletes one finished job of its owner with its video; others get 404, a running job 409', async () => {
    const owner = await api.createUser();
    const stranger = await api.createUser();
    const id = await finishedJob(owner, 'completed');
    expect((await api.call(owner, 'GET', `/api/videos/${id}`)).status).toBe(200);

    const refused = await api.call(stranger, 'DELETE', `/api/presentations/jobs/${id}`);
    expect(refused.status).toBe(404);
    expect((await errorOf(refused)).code).toBe('JOB_NOT_FOUND');

    const deleted = await api.call(owner, 'DELETE', `/api/presentations/jobs/${id}`);
    expect(deleted.status).toBe(200);
    expect(await json(deleted)).toEqual({ job_id: id, deleted: true });
    expect((await api.call(owner, 'GET', `/api/presentations/jobs/${id}`)).status).toBe(404);
    expect(await api.app.database.artifacts.find(id, 'video')).toBeNull();

    const pending = await json<{ id: string }>(
      await api.call(owner, 'POST', '/api/presentations/generate', TINY_LESSON),
    );
    const busy = await api.call(owner, 'DELETE', `/api/presentations/jobs/${pending.id}`);
    expect(busy.status).toBe(409);
    expect(await errorOf(busy)).toMatchObject({ code: 'JOB_NOT_FINISHED' });
    expect((await api.call(owner, 'GET', `/api/presentations/jobs/${pending.id}`)).status).toBe(200);
  });

  it("lets an admin delete anyone's finished job", async () => {
    const owner = await api.createUser();
    const id = await finishedJob(owner, 'failed');
    expect((await api.call(api.admin, 'DELETE', `/api/presentations/jobs/${id}`)).status).toBe(200);
    expect((await api.call(owner, 'GET', `/api/presentations/jobs/${id}`)).status).toBe(404);
  });

  it('cleans up old failed jobs only, keeping old completed videos (?status=failed)', async () => {
    const user = await api.createUser();
    const failed = await finishedJob(user, 'failed');
    const completed = await finishedJob(user, 'completed');
    for (const id of [failed, completed]) await setFinishedHoursAgo(api.t, id, 48);

    const response = await api.call(
      user,
      'DELETE',
      '/api/presentations/jobs/cleanup?max_age_hours=24&status=failed',
    );
    expect(await json(response)).toEqual({
      deleted: 1,
      max_age_hours: 24,
      age_from: 'completed_at',
      statuses: ['failed'],
    });
    expect((await api.call(user, 'GET', `/api/presentations/jobs/${failed}`)).status).toBe(404);
    expect((await api.call(user, 'GET', `/api/videos/${completed}`)).status).toBe(200);

    const bad = await api.call(user, 'DELETE', '/api/presentations/jobs/cleanup?status=running');
    expect(bad.status).toBe(400);
  });

  it('answers 404 with "expired" for a video deleted by the retention, while the job stays', async () => {
    const user = await api.createUser();
    const id = await finishedJob(user, 'completed');
    await setFinishedHoursAgo(api.t, id, 100);
    expect(await api.app.jobs.expireVideos(72)).toBeGreaterThanOrEqual(1);
    const gone = await api.call(user, 'GET', `/api/videos/${id}`);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).message).toContain('expired');
    const job = await json<{ status: string; result_data: Record<string, unknown> }>(
      await api.call(user, 'GET', `/api/presentations/jobs/${id}`),
    );
    expect(job.status).toBe('completed');
    expect(job.result_data).toMatchObject({ presentation_id: id, video_expired: true });
  });

  it("takes seed 002's form: jobs created more than `days` ago", async () => {
    const user = await api.createUser();
    const old = await finishedJob(user, 'completed');
    const recent = await finishedJob(user, 'completed');
    await setCreatedHoursAgo(api.t, old, 8 * 24);
    const response = await api.call(user, 'DELETE', '/api/presentations/jobs/cleanup?days=7');
    expect(await json(response)).toMatchObject({ deleted: 1, max_age_hours: 168, age_from: 'created_at' });
    expect((await api.call(user, 'GET', `/api/presentations/jobs/${old}`)).status).toBe(404);
    expect((await api.call(user, 'GET', `/api/presentations/jobs/${recent}`)).status).toBe(200);
  });
});
