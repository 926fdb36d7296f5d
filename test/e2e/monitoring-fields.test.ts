/**
 * Seed 003's monitoring fields over real HTTP, as the seed means them: `worker_id` in health is the
 * id of the worker running in the answering process; every pending job of a listing carries its
 * `queue_position`, the same a status read gives; a create response that says `pending` carries its
 * position (a job a worker has claimed already says `running`). `health?hours` is covered with the
 * statistics in api-job-operations.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, getJob, json, type WireJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

interface Health {
  worker_id: string | null;
  worker_ids: string[];
}

describe('monitoring fields: an API node without a worker', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
  });
  afterAll(() => api.close());

  it('says worker_id null in health: no worker runs in the process that answered', async () => {
    const health = await json<Health>(await api.call(api.admin, 'GET', '/api/presentations/jobs/health'));
    expect(health).toMatchObject({ worker_id: null, worker_ids: [] });
  });

  it('lists every pending job with its queue position, the one a status read gives; others with null', async () => {
    const user: TestUser = await api.createUser();
    const low = await createJob(api, user, { ...TINY_LESSON, priority: 'low' });
    const urgent = await createJob(api, user, { ...TINY_LESSON, priority: 'urgent' });
    const normal = await createJob(api, user, TINY_LESSON);
    const cancelled = await createJob(api, user, { ...TINY_LESSON, priority: 'high' });
    await api.call(user, 'POST', `/api/presentations/jobs/${cancelled.id}/cancel`, {});

    const response = await api.call(user, 'GET', '/api/presentations/jobs?limit=100');
    expect(response.status).toBe(200);
    const listed = new Map((await json<{ jobs: WireJob[] }>(response)).jobs.map((job) => [job.id, job]));
    for (const job of [low, urgent, normal]) {
      const read = await getJob(api, user, job.id);
      expect(read.queue_position, job.priority).toEqual(expect.any(Number));
      expect(listed.get(job.id)?.queue_position, job.priority).toBe(read.queue_position);
    }
    expect(Number(listed.get(urgent.id)?.queue_position)).toBeLessThan(
      Number(listed.get(normal.id)?.queue_position),
    );
    expect(Number(listed.get(normal.id)?.queue_position)).toBeLessThan(
      Number(listed.get(low.id)?.queue_position),
    );
    expect(listed.get(cancelled.id)).toMatchObject({ status: 'cancelled', queue_position: null });
  });

  it('answers a retry, one or in bulk, with the re-queued job’s position', async () => {
    const user: TestUser = await api.createUser();
    const one = await createJob(api, user, TINY_LESSON);
    const two = await createJob(api, user, TINY_LESSON);
    for (const job of [one, two])
      await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {});

    const retried = await json<WireJob>(
      await api.call(user, 'POST', `/api/presentations/jobs/${one.id}/retry`, { force_retry: true }),
    );
    expect(retried).toMatchObject({
      status: 'pending',
      queue_position: (await getJob(api, user, one.id)).queue_position,
    });
    expect(retried.queue_position).toEqual(expect.any(Number));

    const bulk = await json<{ results: { job: WireJob | null }[] }>(
      await api.call(user, 'POST', '/api/presentations/jobs/bulk-retry', {
        job_ids: [two.id],
        force_retry: true,
      }),
    );
    expect(bulk.results[0]?.job).toMatchObject({
      status: 'pending',
      queue_position: (await getJob(api, user, two.id)).queue_position,
    });
    expect(bulk.results[0]?.job?.queue_position).toEqual(expect.any(Number));
  });
});

describe('monitoring fields: a node with a worker', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 1 });
  });
  afterAll(() => api.close());

  it('says the running worker’s id in health', async () => {
    const health = await json<Health>(await api.call(api.admin, 'GET', '/api/presentations/jobs/health'));
    const [worker] = api.service.workers;
    expect(worker).toBeDefined();
    expect(health).toMatchObject({ worker_id: worker!.id, worker_ids: [worker!.id] });
  });

  it('answers a create with its status now: pending with a position, or running with none', async () => {
    const user = await api.createUser();
    const answers: WireJob[] = [];
    try {
      // The worker claims each job as it is queued: some answers race the claim.
      for (let i = 0; i < 6; i++) answers.push(await createJob(api, user, TINY_LESSON));
      for (const answer of answers) {
        if (answer.status === 'pending') expect(answer.queue_position, answer.id).toEqual(expect.any(Number));
        else expect(answer).toMatchObject({ status: 'running', queue_position: null });
      }
    } finally {
      for (const answer of answers) {
        await api.call(user, 'POST', `/api/presentations/jobs/${answer.id}/cancel`, {});
      }
    }
  });
});
