/**
 * Points over real HTTP (seed 004's prompt_points, JOB_COST_POINTS=5): charged when a job is created,
 * 402 INSUFFICIENT_POINTS with nothing created when short, refunded when a job ends without a video
 * (cancelled while pending, failed), and charged again by a manual retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  errorOf,
  getJob,
  json,
  pointsOf,
  rowCounts,
  untilStatus,
} from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';

const COST = 5;

describe('HTTP API: points', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    // ffmpeg cannot be found, so every render fails: the failure-refund test needs one that does.
    api = await startApi(
      { JOB_COST_POINTS: COST, FFMPEG_PATH: '/nonexistent/reelqueue-test/ffmpeg' },
      { workers: 0 },
    );
  });
  afterAll(() => api.close());

  it('charges JOB_COST_POINTS when a job is created, as GET /api/users/me shows', async () => {
    const user = await api.createUser({ points: 12 });
    const me = await json<{ prompt_points: number; job_cost_points: number }>(
      await api.call(user, 'GET', '/api/users/me'),
    );
    expect(me).toMatchObject({ prompt_points: 12, job_cost_points: COST });
    await createJob(api, user, TINY_LESSON);
    expect(await pointsOf(api, user)).toBe(7);
    const seed004 = await api.call(user, 'POST', '/api/generate', { script: 'Rain falls.' });
    expect(seed004.status).toBe(202);
    expect(await pointsOf(api, user)).toBe(2);
  });

  it('answers 402 INSUFFICIENT_POINTS when short, creating nothing and taking nothing', async () => {
    const user = await api.createUser({ points: COST - 1 });
    const before = await rowCounts(api);
    for (const [path, body] of [
      ['/api/presentations/generate', TINY_LESSON],
      ['/api/generate', { script: 'Rain falls.' }],
    ] as const) {
      const response = await api.call(user, 'POST', path, body);
      expect(response.status, path).toBe(402);
      expect((await errorOf(response)).code).toBe('INSUFFICIENT_POINTS');
    }
    expect(await rowCounts(api)).toEqual(before);
    expect(await pointsOf(api, user)).toBe(COST - 1);
    const list = await json<{ count: number }>(
      await api.call(user, 'GET', '/api/presentations/jobs?include_finished=true'),
    );
    expect(list.count).toBe(0);
  });

  it('refunds a job cancelled while pending, alone or in a bulk cancel', async () => {
    const user = await api.createUser({ points: 3 * COST });
    const [a, b, c] = [
      await createJob(api, user, TINY_LESSON),
      await createJob(api, user, TINY_LESSON),
      await createJob(api, user, TINY_LESSON),
    ];
    expect(await pointsOf(api, user)).toBe(0);
    expect((await api.call(user, 'POST', `/api/presentations/jobs/${a!.id}/cancel`, {})).status).toBe(200);
    expect(await pointsOf(api, user)).toBe(COST);
    const bulk = await api.call(user, 'POST', '/api/presentations/jobs/bulk-cancel?reason=refund', {
      job_ids: [b!.id, c!.id],
    });
    expect(bulk.status).toBe(200);
    expect(await pointsOf(api, user)).toBe(3 * COST);
    // Cancelling again refunds nothing more.
    await api.call(user, 'POST', `/api/presentations/jobs/${a!.id}/cancel`, {});
    expect(await pointsOf(api, user)).toBe(3 * COST);
  });

  it('refunds a job that fails, and charges again when it is retried (402 when short)', async () => {
    const user = await api.createUser({ points: COST + 2 });
    const job = await createJob(api, user, { ...TINY_LESSON, max_retries: 0, priority: 'urgent' });
    expect(await pointsOf(api, user)).toBe(2);

    const worker = api.app.createWorker();
    worker.start();
    try {
      const failed = await untilStatus(api, user, job.id, 'failed', 30_000);
      expect(failed.error_code).toEqual(expect.any(String));
    } finally {
      await worker.stop();
    }
    expect(await pointsOf(api, user)).toBe(COST + 2);

    const retried = await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/retry`, {
      force_retry: true,
    });
    expect(retried.status).toBe(200);
    expect(await pointsOf(api, user)).toBe(2);
    expect((await getJob(api, user, job.id)).status).toBe('pending');

    // Cancelled again (refunded), then the balance is taken below the cost: a retry is refused.
    await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {});
    expect(await pointsOf(api, user)).toBe(COST + 2);
    await api.app.database.users.adjustPoints(user.id, -3);
    const short = await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/retry`, {
      force_retry: true,
    });
    expect(short.status).toBe(402);
    expect((await errorOf(short)).code).toBe('INSUFFICIENT_POINTS');
    expect((await getJob(api, user, job.id)).status).toBe('cancelled');
    expect(await pointsOf(api, user)).toBe(COST - 1);
  });
});
