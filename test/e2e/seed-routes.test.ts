/**
 * Clients of seeds 000–002 over HTTP: seed 001's `POST /presentations` and
 * `GET /presentations/{job_id}` in its shape, and the seeds' status names in list filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, json, rowCounts, type WireJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';

interface SeedJob {
  job_id: string;
  status: string;
  progress: number;
  error: string | null;
  video_url: string | null;
  created_at: string;
  created_files: string[];
}

describe("seed 001's routes and the seeds' status names", () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
  });
  afterAll(() => api.close());

  it("POST /presentations queues a job and answers seed 001's shape; GET reads it back", async () => {
    const user = await api.createUser();
    const created = await api.call(user, 'POST', '/presentations', TINY_LESSON);
    expect(created.status).toBe(202);
    const job = await json<SeedJob>(created);
    expect(job).toMatchObject({
      status: 'queued',
      progress: 0,
      error: null,
      video_url: null,
      created_files: [],
    });
    expect(Object.keys(job).sort()).toEqual(
      [
        'job_id',
        'status',
        'progress',
        'error',
        'video_url',
        'thumbnail_url',
        'slide_image_path',
        'created_at',
        'completed_at',
        'last_heartbeat',
        'created_files',
      ].sort(),
    );
    const read = await api.call(user, 'GET', `/presentations/${job.job_id}`);
    expect(read.status).toBe(200);
    expect(await json<SeedJob>(read)).toMatchObject({ job_id: job.job_id, status: 'queued' });
  });

  it('authenticates like /api: no key is 401, another user gets 404, a bad body is 400 and creates nothing', async () => {
    const owner = await api.createUser();
    const job = await json<SeedJob>(await api.call(owner, 'POST', '/presentations', TINY_LESSON));
    expect((await api.call(null, 'POST', '/presentations', TINY_LESSON)).status).toBe(401);
    expect((await api.call(null, 'GET', `/presentations/${job.job_id}`)).status).toBe(401);
    const other = await api.createUser();
    const hidden = await api.call(other, 'GET', `/presentations/${job.job_id}`);
    expect(hidden.status).toBe(404);
    expect((await errorOf(hidden)).code).toBe('JOB_NOT_FOUND');
    const before = await rowCounts(api);
    const bad = await api.call(owner, 'POST', '/presentations', { lesson: 'nope', progress: Infinity });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('VALIDATION_FAILED');
    expect(await rowCounts(api)).toEqual(before);
  });

  it('a cancelled job reads as failed, the reason in error', async () => {
    const user = await api.createUser();
    const job = await json<SeedJob>(await api.call(user, 'POST', '/presentations', TINY_LESSON));
    await api.call(user, 'POST', `/api/presentations/jobs/${job.job_id}/cancel`, { reason: 'not needed' });
    const read = await json<SeedJob>(await api.call(user, 'GET', `/presentations/${job.job_id}`));
    expect(read).toMatchObject({ status: 'failed', error: 'Cancelled: not needed' });
  });

  it('both routes are in the OpenAPI document', async () => {
    const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(
      await api.call(null, 'GET', '/docs/json'),
    );
    expect(Object.keys(doc.paths['/presentations'] ?? {})).toContain('post');
    expect(Object.keys(doc.paths['/presentations/{job_id}'] ?? {})).toContain('get');
  });

  it("list filters take the seeds' names: queued = pending, processing = running", async () => {
    const user = await api.createUser();
    const job = await json<SeedJob>(await api.call(user, 'POST', '/presentations', TINY_LESSON));
    const list = async (status: string) => {
      const answer = await api.call(user, 'GET', `/api/presentations/jobs?status=${status}`);
      expect(answer.status).toBe(200);
      return (await json<{ jobs: WireJob[] }>(answer)).jobs.map((j) => j.id);
    };
    expect(await list('queued')).toEqual([job.job_id]);
    expect(await list('pending')).toEqual([job.job_id]);
    expect(await list('queued,pending')).toEqual([job.job_id]);
    expect(await list('processing')).toEqual([]);
    expect(await list('generating,completed')).toEqual([]);
    // (`waiting` was the unknown name here until migration 0030 made it a status.)
    const unknown = await api.call(user, 'GET', '/api/presentations/jobs?status=sleeping');
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toContain('queued');
  });
});
