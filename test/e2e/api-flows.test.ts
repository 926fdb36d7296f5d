/** The seeds' own flows over real HTTP, on each database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { waitFor } from '../support/wait.js';

describe('HTTP API: the seeds flows', () => {
  let api: ApiHarness;
  let alice: TestUser;

  beforeAll(async () => {
    api = await startApi();
    alice = await api.createUser({ wallet: 'wallet-alice', points: 10 });
  });
  afterAll(() => api.close());

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const untilDone = (user: TestUser, id: string) =>
    waitFor(
      async () => {
        const job = await json<{ status: string }>(
          await api.call(user, 'GET', `/api/presentations/jobs/${id}`),
        );
        return ['completed', 'failed', 'cancelled', 'timeout'].includes(job.status) ? job : null;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the job to finish' },
    );

  it('creates a job, follows it to completed, downloads the video, and keeps it across a restart', async () => {
    const created = await api.call(alice, 'POST', '/api/presentations/generate', {
      ...TINY_LESSON,
      priority: 'high',
    });
    expect(created.status).toBe(202);
    const job = await json<{ id: string; status: string; priority: string; queue_position: number | null }>(
      created,
    );
    // The job as it is now: still queued with its position, or claimed already by the worker.
    expect(job.priority).toBe('high');
    if (job.status === 'pending') expect(job.queue_position).toEqual(expect.any(Number));
    else expect(job).toMatchObject({ status: 'running', queue_position: null });

    const done = await untilDone(alice, job.id);
    expect(done).toMatchObject({ status: 'completed', slide_count: 2, video_url: `/api/videos/${job.id}` });

    const video = await api.call(alice, 'GET', `/api/videos/${job.id}`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');

    await api.restart();
    const after = await json<{ status: string }>(
      await api.call(alice, 'GET', `/api/presentations/jobs/${job.id}`),
    );
    expect(after.status).toBe('completed');
    const again = Buffer.from(await (await api.call(alice, 'GET', `/api/videos/${job.id}`)).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);
  });

  it('serves seed 004: /api/generate, /api/videos/status/{jobId}, /api/videos/{jobId}', async () => {
    const response = await api.call(alice, 'POST', '/api/generate', {
      script: 'Rain falls from clouds. It fills rivers and lakes.',
      walletAddress: 'wallet-alice',
      title: 'Rain',
    });
    expect(response.status).toBe(202);
    const body = await json<{ jobId: string; videoId: string; status: string; message: string }>(response);
    expect(Object.keys(body).sort()).toEqual(['jobId', 'message', 'status', 'videoId']);
    const status = await waitFor(
      async () => {
        const s = await json<{ ready: boolean; status: string }>(
          await api.call(alice, 'GET', `/api/videos/status/${body.jobId}`),
        );
        return s.ready ? s : null;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the video to be ready' },
    );
    expect(status).toMatchObject({
      jobId: body.jobId,
      status: 'completed',
      ready: true,
      videoAvailable: true,
      error: null,
    });
    for (const field of ['createdAt', 'updatedAt'])
      expect(typeof (status as Record<string, unknown>)[field]).toBe('string');
    const video = await api.call(alice, 'GET', `/api/videos/${body.jobId}`);
    expect(video.status).toBe(200);
  });

  it('refuses a walletAddress that is not the caller’s', async () => {
    const response = await api.call(alice, 'POST', '/api/generate', {
      script: 'Hello.',
      walletAddress: 'someone-else',
    });
    expect(response.status).toBe(403);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('WALLET_MISMATCH');
  });

  it.each([{ script: 12345 }, { script: ['a list'] }, { script: 'Hello.', use_llm_polish: 'true' }])(
    'refuses a body field of the wrong type instead of converting it: %j',
    async (body) => {
      const response = await api.call(alice, 'POST', '/api/presentations/generate', body);
      expect(response.status).toBe(400);
      expect((await json<{ error: { code: string } }>(response)).error.code).toBe('VALIDATION_FAILED');
    },
  );

  it('answers health, readiness, db health, metrics and the OpenAPI document', async () => {
    expect((await api.call(null, 'GET', '/healthz')).status).toBe(200);
    expect(await json(await api.call(null, 'GET', '/readyz'))).toMatchObject({ ok: true });
    expect(await json(await api.call(null, 'GET', '/api/db/health'))).toEqual({ ok: true });
    const metrics = await (await api.call(null, 'GET', '/metrics')).text();
    expect(metrics).toContain('reelqueue_jobs{status="completed"}');
    expect(metrics).toContain('reelqueue_http_request_duration_seconds');
    expect(metrics).toContain('reelqueue_process_cpu_seconds_total');
    expect(metrics).not.toContain('reelqueue_process_process_');
    const openapi = await json<{ openapi: string; paths: Record<string, unknown> }>(
      await api.call(null, 'GET', '/docs/json'),
    );
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/api/presentations/generate');
  });

  it('documents a success response schema for every /api operation but the byte and event streams', async () => {
    const openapi = await json<{ paths: Record<string, Record<string, { responses?: object }>> }>(
      await api.call(null, 'GET', '/docs/json'),
    );
    const streams = [
      '/api/presentations/jobs/{id}/events',
      '/api/videos/{jobId}',
      '/api/videos/{jobId}/thumbnail',
      '/api/videos/{jobId}/captions.vtt',
      '/api/admin/jobs/export',
    ];
    const undocumented = Object.entries(openapi.paths)
      .filter(([path]) => path.startsWith('/api/') && !streams.includes(path))
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, op]) => !Object.keys(op.responses ?? {}).some((status) => status.startsWith('2')))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
    expect(undocumented).toEqual([]);
  });
});
