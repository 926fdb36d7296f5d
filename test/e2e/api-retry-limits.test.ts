/**
 * Retries over real HTTP obey what a new job obeys: MAX_ACTIVE_JOBS_PER_USER (429 TOO_MANY_JOBS,
 * nothing changed) and JOB_COST_POINTS (charged again, 402 INSUFFICIENT_POINTS when short), for
 * `…/retry`, `…/retry {force_retry}` and `POST /api/presentations/jobs/bulk-retry`, and on two API
 * nodes retrying for one user at once.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReelqueue } from '../../src/app.js';
import { startService, type Service } from '../../src/api/start.js';
import { defaultKinds } from '../../src/default-kinds.js';
import { silentLogger } from '../../src/logger.js';
import {
  createJob,
  errorOf,
  getJob,
  json,
  pointsOf,
  rowCounts,
  type WireJob,
} from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

const LIMIT = 3;
const COST = 5;

interface BulkRetryAnswer {
  results: {
    job_id: string;
    outcome: 'retried' | 'refused';
    job: WireJob | null;
    error: { code: string; message: string; details: Record<string, unknown> | null } | null;
  }[];
  retried: number;
  refused: number;
}

interface OpenApiSchema {
  required?: string[];
  properties?: Record<string, unknown>;
}
interface OpenApiOperation {
  summary?: string;
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
  responses: Record<string, { content: Record<string, { schema: OpenApiSchema }> }>;
}

/** What each id came to: `retried`, or the refusal's code. */
const verdicts = (answer: BulkRetryAnswer) =>
  answer.results.map((result) => (result.outcome === 'retried' ? 'retried' : result.error?.code));

describe('HTTP API: retries within the per-user limits', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ MAX_ACTIVE_JOBS_PER_USER: LIMIT, JOB_COST_POINTS: COST }, { workers: 0 });
  });
  afterAll(() => api.close());

  /** `count` jobs of `user`, cancelled while pending (so retryable, and their points refunded). */
  async function cancelledJobs(user: TestUser, count: number): Promise<WireJob[]> {
    const jobs: WireJob[] = [];
    while (jobs.length < count) {
      const batch = [];
      for (let i = 0; i < Math.min(LIMIT, count - jobs.length); i++) {
        batch.push(await createJob(api, user, TINY_LESSON));
      }
      const ids = batch.map((job) => job.id);
      const cancel = await api.call(user, 'POST', '/api/presentations/jobs/bulk-cancel', { job_ids: ids });
      expect(cancel.status).toBe(200);
      for (const id of ids) jobs.push(await getJob(api, user, id));
    }
    return jobs;
  }

  const active = async (user: TestUser) =>
    (
      await json<{ jobs: WireJob[] }>(
        await api.call(user, 'GET', '/api/presentations/jobs?status=pending,running&limit=100'),
      )
    ).jobs.length;

  const bulkRetry = (user: TestUser, body: object) =>
    api.call(user, 'POST', '/api/presentations/jobs/bulk-retry', body);

  it('answers 429 TOO_MANY_JOBS to a retry or a force retry past the limit, changing nothing', async () => {
    const user = await api.createUser({ points: 100 * COST });
    const [cancelled] = await cancelledJobs(user, 1);
    const queued = [];
    for (let i = 0; i < LIMIT; i++) queued.push(await createJob(api, user, TINY_LESSON));
    const points = await pointsOf(api, user);
    const before = await rowCounts(api);
    for (const body of [{}, { force_retry: true }]) {
      const response = await api.call(user, 'POST', `/api/presentations/jobs/${cancelled!.id}/retry`, body);
      expect(response.status).toBe(429);
      const error = await errorOf(response);
      expect(error.code).toBe('TOO_MANY_JOBS');
      expect(error.details).toMatchObject({ limit: LIMIT, active: LIMIT });
    }
    // An admin retrying the user's job is held to the user's limit too.
    const byAdmin = await api.call(api.admin, 'POST', `/api/presentations/jobs/${cancelled!.id}/retry`, {});
    expect(byAdmin.status).toBe(429);
    expect(await rowCounts(api)).toEqual(before);
    expect(await getJob(api, user, cancelled!.id)).toEqual(cancelled);
    expect(await pointsOf(api, user)).toBe(points);

    // Once a place is free, the retry goes through and is charged like a new job.
    await api.call(user, 'POST', `/api/presentations/jobs/${queued[0]!.id}/cancel`, {});
    const retried = await api.call(user, 'POST', `/api/presentations/jobs/${cancelled!.id}/retry`, {});
    expect(retried.status).toBe(200);
    expect((await json<WireJob>(retried)).status).toBe('pending');
    expect(await pointsOf(api, user)).toBe(points);
    expect(await active(user)).toBe(LIMIT);
  });

  it('retries many jobs with bulk-retry up to the limit, and says what became of each id', async () => {
    const user = await api.createUser({ points: 100 * COST });
    const other = await api.createUser({ points: 100 * COST });
    const [othersJob] = await cancelledJobs(other, 1);
    const cancelled = await cancelledJobs(user, 5);
    await createJob(api, user, TINY_LESSON);
    const done = cancelled[4]!;
    const points = await pointsOf(api, user);
    const ids = [...cancelled.slice(0, 4).map((job) => job.id), cancelled[0]!.id, othersJob!.id, 'nope'];

    const response = await bulkRetry(user, { job_ids: ids, force_retry: true });
    expect(response.status).toBe(200);
    const answer = await json<BulkRetryAnswer>(response);
    expect(answer.results.map((result) => result.job_id)).toEqual([
      ...cancelled.slice(0, 4).map((job) => job.id),
      othersJob!.id,
      'nope',
    ]);
    expect(verdicts(answer)).toEqual([
      'retried',
      'retried',
      'TOO_MANY_JOBS',
      'TOO_MANY_JOBS',
      'JOB_NOT_FOUND',
      'JOB_NOT_FOUND',
    ]);
    expect(answer).toMatchObject({ retried: 2, refused: 4 });
    expect(answer.results[0]!.job).toMatchObject({ id: cancelled[0]!.id, status: 'pending' });
    expect(answer.results[2]!.error).toMatchObject({ details: { limit: LIMIT, active: LIMIT } });
    // Another user's job is not found, as it would be alone, and is left alone.
    expect(answer.results[4]!.error).toEqual({
      code: 'JOB_NOT_FOUND',
      message: 'No such job',
      details: null,
    });
    expect((await getJob(api, other, othersJob!.id)).status).toBe('cancelled');
    expect(await getJob(api, user, cancelled[2]!.id)).toEqual(cancelled[2]);
    expect(await getJob(api, user, done.id)).toEqual(done);
    expect(await pointsOf(api, user)).toBe(points - 2 * COST);
    expect(await active(user)).toBe(LIMIT);
  });

  it('charges each retried job like a new one and refuses those the owner cannot pay for (402 alone)', async () => {
    const user = await api.createUser({ points: 3 * COST });
    const cancelled = await cancelledJobs(user, 3);
    await api.app.database.users.adjustPoints(user.id, -(COST + 1));
    const answer = await json<BulkRetryAnswer>(
      await bulkRetry(user, { job_ids: cancelled.map((job) => job.id) }),
    );
    expect(verdicts(answer)).toEqual(['retried', 'INSUFFICIENT_POINTS', 'INSUFFICIENT_POINTS']);
    expect(await pointsOf(api, user)).toBe(COST - 1);
    expect(await getJob(api, user, cancelled[1]!.id)).toEqual(cancelled[1]);
    // Alone, the retry is refused as a new job is.
    for (const [path, body] of [
      [`/api/presentations/jobs/${cancelled[1]!.id}/retry`, {}],
      ['/api/presentations/generate', TINY_LESSON],
    ] as const) {
      const response = await api.call(user, 'POST', path, body);
      expect(response.status, path).toBe(402);
      expect((await errorOf(response)).code).toBe('INSUFFICIENT_POINTS');
    }
  });

  it('documents bulk-retry in the OpenAPI document, with its body and per-id answer', async () => {
    const document = await json<{ paths: Record<string, Record<string, OpenApiOperation>> }>(
      await api.call(null, 'GET', '/docs/json'),
    );
    const operation = document.paths['/api/presentations/jobs/bulk-retry']?.post;
    expect(operation?.summary).toMatch(/retry|again/i);
    const body = operation?.requestBody?.content['application/json']?.schema;
    expect(body?.required).toEqual(['job_ids']);
    expect(body?.properties).toHaveProperty('force_retry');
    const answer = operation?.responses['200']?.content['application/json']?.schema;
    expect(answer?.properties).toHaveProperty('results');
  });

  it('refuses a bulk retry without ids, or with more than 100, with a 400 and changes nothing', async () => {
    const user = await api.createUser({ points: 100 * COST });
    const before = await rowCounts(api);
    for (const body of [{}, { job_ids: [] }, { job_ids: Array.from({ length: 101 }, (_, i) => `id-${i}`) }]) {
      const response = await bulkRetry(user, body);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('VALIDATION_FAILED');
    }
    expect(await rowCounts(api)).toEqual(before);
  });

  it('holds the limit when two API nodes retry, force retry and bulk retry for one user at once', async () => {
    const second = await startSecondNode(api);
    try {
      const user = await api.createUser({ points: 100 * COST });
      const cancelled = await cancelledJobs(user, 12);
      const ids = cancelled.map((job) => job.id);
      const nodes = [api.baseUrl, second.baseUrl];
      const post = (node: number, path: string, body: object) =>
        fetch(`${nodes[node % 2]}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const answers = await Promise.all([
        ...ids
          .slice(0, 6)
          .map((id, i) =>
            post(i, `/api/presentations/jobs/${id}/retry`, i % 3 === 0 ? { force_retry: true } : {}),
          ),
        post(0, '/api/presentations/jobs/bulk-retry', { job_ids: ids.slice(6) }),
        post(1, '/api/presentations/jobs/bulk-retry', { job_ids: [...ids].reverse(), force_retry: true }),
        post(1, '/api/presentations/generate', TINY_LESSON),
      ]);
      let passed = 0;
      for (const answer of answers) {
        if (answer.url.endsWith('/bulk-retry')) {
          expect(answer.status).toBe(200);
          const body = await json<BulkRetryAnswer>(answer);
          passed += body.retried;
          for (const result of body.results) {
            if (result.outcome === 'refused') {
              expect(['TOO_MANY_JOBS', 'JOB_NOT_RETRYABLE']).toContain(result.error?.code);
            }
          }
        } else if (answer.status === 200 || answer.status === 202) {
          passed++;
        } else {
          expect(answer.status).toBe(429);
          expect((await errorOf(answer)).code).toBe('TOO_MANY_JOBS');
        }
      }
      expect(passed).toBe(LIMIT);
      expect(await active(user)).toBe(LIMIT);
    } finally {
      await second.service.close();
    }
  });
});

/** A second API process on the harness's database (its own app, pool and server), without workers. */
async function startSecondNode(api: ApiHarness): Promise<{ service: Service; baseUrl: string }> {
  const app = await createReelqueue(api.t.config, { logger: silentLogger(), kinds: defaultKinds });
  const service = await startService(app, { workers: 0 });
  await service.server.listen({ port: 0, host: '127.0.0.1' });
  const address = service.server.server.address() as AddressInfo;
  return { service, baseUrl: `http://127.0.0.1:${address.port}` };
}
