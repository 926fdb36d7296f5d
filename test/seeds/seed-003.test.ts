/**
 * Seed 003 (the job system with priorities, retries and monitoring): its settings, its SQL read by
 * `id`, every HTTP example of "New API Endpoints" as written (with a key), and its legacy functions
 * `create_presentation_job` / `get_presentation_job_status` as library calls. Its `migrate
 * --db-path --verbose` runs the built CLI and is replayed in test/e2e/cli.test.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/index.js';
import { loadConfig } from '../../src/config.js';
import { json } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';
import { seedSql } from './seed-support.js';

interface Job {
  id: string;
  status: string;
  priority: string;
  [field: string]: unknown;
}

describe('seed 003: job system endpoints, settings, SQL and legacy functions', () => {
  let api: ApiHarness;
  let lessonId: string;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
    const lesson = await api.call(api.admin, 'POST', '/api/lessons', TINY_LESSON.lesson);
    expect(lesson.status, await lesson.clone().text()).toBe(201);
    lessonId = (await json<{ id: string }>(lesson)).id;
  });
  afterAll(() => api.close());

  const generate = async (body: object): Promise<Job> => {
    const response = await api.call(api.admin, 'POST', '/api/presentations/generate', body);
    expect(response.status, await response.clone().text()).toBe(202);
    return json<Job>(response);
  };

  it('settings: DATABASE_PATH=./data/pocket_musec.db is that SQLite file; the job system settings keep their names', () => {
    const config = loadConfig({
      DATABASE_PATH: './data/pocket_musec.db',
      JOB_TIMEOUT_MINUTES: '10',
      MAX_RETRIES: '2',
      RETRY_DELAYS: '0,5,15',
      CLEANUP_MAX_AGE_HOURS: '24',
      ORPHANED_JOB_TIMEOUT_MINUTES: '30',
    });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('data/pocket_musec.db')}`);
    expect(() =>
      loadConfig({ DATABASE_PATH: './data/pocket_musec.db', DATABASE_URL: 'postgres://localhost/other' }),
    ).toThrow(/DATABASE_PATH/);
  });

  it('POST /api/presentations/generate with the seed body; the row reads back by id with those values', async () => {
    const job = await generate({
      lesson_id: lessonId,
      style: 'default',
      use_llm_polish: true,
      timeout_seconds: 30,
      priority: 'normal',
      max_retries: 2,
    });
    expect(job).toMatchObject({ status: 'pending', priority: 'normal', queue_position: expect.any(Number) });
    const [row] = await seedSql(
      api,
      {
        postgres: 'SELECT * FROM presentation_jobs WHERE id = $1',
        sqlite: 'SELECT * FROM presentation_jobs WHERE id = ?',
      },
      [job.id],
    );
    expect(row).toMatchObject({
      id: job.id,
      lesson_id: lessonId,
      status: 'pending',
      priority: 'normal',
      progress: 0,
      timeout_seconds: 30,
      max_retries: 2,
      retry_count: 0,
      style: 'default',
    });
    // Stored; with LLM_BASE_URL set the render polishes the narration (test/e2e/llm-polish.test.ts).
    expect(Boolean(row!.use_llm_polish)).toBe(true);
  });

  it('GET /api/presentations/jobs?status=pending&priority=high&include_finished=false&limit=20', async () => {
    const high = await generate({ ...TINY_LESSON, priority: 'high' });
    await generate({ ...TINY_LESSON, priority: 'low' });
    const response = await api.call(
      api.admin,
      'GET',
      '/api/presentations/jobs?status=pending&priority=high&include_finished=false&limit=20',
    );
    expect(response.status).toBe(200);
    const { jobs } = await json<{ jobs: Job[] }>(response);
    expect(jobs.map((j) => j.id)).toContain(high.id);
    expect(jobs.every((j) => j.status === 'pending' && j.priority === 'high')).toBe(true);
    expect(jobs.every((j) => typeof j.queue_position === 'number')).toBe(true);
  });

  it('POST …/jobs/{job_id}/retry {"force_retry": false} re-queues a finished job', async () => {
    const job = await generate(TINY_LESSON);
    await api.call(api.admin, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {});
    const response = await api.call(api.admin, 'POST', `/api/presentations/jobs/${job.id}/retry`, {
      force_retry: false,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const read = await json<Job>(await api.call(api.admin, 'GET', `/api/presentations/jobs/${job.id}`));
    expect(read.status).toBe('pending');
  });

  it('POST …/jobs/bulk-cancel?reason=cleanup {"job_ids": [...]} cancels them', async () => {
    const a = await generate(TINY_LESSON);
    const b = await generate(TINY_LESSON);
    const response = await api.call(api.admin, 'POST', '/api/presentations/jobs/bulk-cancel?reason=cleanup', {
      job_ids: [a.id, b.id],
    });
    expect(response.status, await response.clone().text()).toBe(200);
    for (const id of [a.id, b.id]) {
      expect((await api.app.jobs.get(id, ALL_JOBS))?.status).toBe('cancelled');
    }
  });

  it('DELETE …/jobs/cleanup?max_age_hours=24 answers what it deleted', async () => {
    const response = await api.call(api.admin, 'DELETE', '/api/presentations/jobs/cleanup?max_age_hours=24');
    expect(response.status).toBe(200);
    expect(await json<{ deleted: number }>(response)).toMatchObject({ deleted: expect.any(Number) });
  });

  it("GET …/jobs/health?hours=24 answers the seed's metrics; /statistics?hours=24 answers", async () => {
    const health = await api.call(api.admin, 'GET', '/api/presentations/jobs/health?hours=24');
    expect(health.status).toBe(200);
    const metrics = await json<Record<string, unknown>>(health);
    for (const field of [
      'total',
      'pending',
      'running',
      'completed',
      'failed',
      'failure_rate',
      'worker_id',
      'oldest_pending_job_age_minutes',
    ]) {
      expect(metrics, field).toHaveProperty(field);
    }
    expect(metrics.period_hours).toBe(24);
    const stats = await api.call(api.admin, 'GET', '/api/presentations/jobs/statistics?hours=24');
    expect(stats.status).toBe(200);
  });

  it('POST …/jobs/system/recovery?timeout_minutes=30 (admin) answers', async () => {
    const response = await api.call(
      api.admin,
      'POST',
      '/api/presentations/jobs/system/recovery?timeout_minutes=30',
    );
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it('legacy functions: create_presentation_job(...) and get_presentation_job_status(id) as library calls', async () => {
    const user = await api.createUser();
    // create_presentation_job(lesson_id=…, user_id=…, style="default", use_llm_polish=True, timeout_seconds=30)
    const { job } = await api.app.enqueue({
      kind: 'presentation',
      payload: { ...TINY_LESSON, style: 'default', use_llm_polish: true },
      lessonId,
      userId: user.id,
      timeoutSeconds: 30,
    });
    // status = get_presentation_job_status(job_id)
    const status = await api.app.jobs.get(job.id, ALL_JOBS);
    expect(status).toMatchObject({ id: job.id, status: 'pending', userId: user.id, timeoutSeconds: 30 });
  });
});
