/**
 * Seed 004 (wallet users, jobs and videos in PostgreSQL, a Node backend): its testing checklist as
 * written — `/api/db/health` answers `{ ok: true }`, a video is created with `walletAddress`, its
 * status moves, the video is served from the database, failed jobs show their error, old failed jobs
 * are cleaned up while completed videos stay, a video is deleted by hand, and the backend acting for
 * any wallet with a service key (`ensureUser`). Points, limits and `clearScriptBody`
 * (CLEAR_LESSON_TEXT_AFTER_SUCCESS) are tested in test/e2e/api-service-key.test.ts and
 * test/e2e/lesson-text-retention.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/index.js';
import { errorOf, json } from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { setCreatedHoursAgo } from '../support/db-fixtures.js';
import { pollJson } from './seed-support.js';

interface Generated {
  jobId: string;
  videoId: string;
  status: string;
  message: string;
}
interface VideoStatus {
  jobId: string;
  status: string;
  ready: boolean;
  error: string | null;
  videoAvailable: boolean;
}

const SCRIPT = 'Water evaporates, rises and cools into clouds.';

describe('seed 004: wallet users, /api/generate, video status and storage', () => {
  let api: ApiHarness;
  let wallet: TestUser;

  beforeAll(async () => {
    api = await startApi();
    // A wallet's user and key, made by an admin (until a service key can act for any wallet).
    const created = await api.call(api.admin, 'POST', '/api/admin/users', {
      walletAddress: 'wallet-seed-004',
      points: 5,
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const body = await json<{ user: { id: string }; key: { key: string } }>(created);
    wallet = { id: body.user.id, key: body.key.key, walletAddress: 'wallet-seed-004' };
  });
  afterAll(() => api.close());

  const generate = async (script = SCRIPT): Promise<Generated> => {
    const response = await api.call(wallet, 'POST', '/api/generate', {
      script,
      walletAddress: 'wallet-seed-004',
      title: 'Clouds',
    });
    expect(response.status, await response.clone().text()).toBe(202);
    return json<Generated>(response);
  };

  /** Cancels a job and waits until it has stopped (a running render stops at its next check). */
  const cancel = async (jobId: string): Promise<VideoStatus> => {
    await api.call(wallet, 'POST', `/api/presentations/jobs/${jobId}/cancel`, {
      reason: 'stopped by the test',
    });
    return pollJson<VideoStatus>(api, wallet, `/api/videos/status/${jobId}`, (s) => s.status === 'failed');
  };

  it('/api/db/health returns { ok: true }', async () => {
    const response = await api.call(null, 'GET', '/api/db/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('getUserPoints(walletAddress): the wallet user reads its points', async () => {
    const me = await json<{ walletAddress: string; prompt_points: number }>(
      await api.call(wallet, 'GET', '/api/users/me'),
    );
    expect(me).toMatchObject({ walletAddress: 'wallet-seed-004', prompt_points: 5 });
  });

  it('create a video with walletAddress; its status moves to completed; the MP4 is served from the database', async () => {
    const job = await generate();
    expect(job).toMatchObject({
      videoId: job.jobId,
      status: expect.stringMatching(/^(pending|generating)$/),
    });
    const done = await pollJson<VideoStatus>(
      api,
      wallet,
      `/api/videos/status/${job.jobId}`,
      (s) => s.ready || s.status === 'failed',
    );
    expect(done).toMatchObject({
      jobId: job.jobId,
      status: 'completed',
      ready: true,
      videoAvailable: true,
      error: null,
    });
    const video = await api.call(wallet, 'GET', `/api/videos/${job.jobId}`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('failed jobs show error messages', async () => {
    const job = await generate();
    const status = await cancel(job.jobId);
    expect(status).toMatchObject({ status: 'failed', ready: false });
    expect(status.error).toEqual(expect.any(String));
  });

  it('cleanupOldJobs(7): failed jobs older than 7 days are deleted, completed videos stay', async () => {
    const failed = await generate();
    await cancel(failed.jobId);
    const completed = await generate();
    await pollJson<VideoStatus>(api, wallet, `/api/videos/status/${completed.jobId}`, (s) => s.ready);
    for (const id of [failed.jobId, completed.jobId]) await setCreatedHoursAgo(api.t, id, 8 * 24);
    const response = await api.call(
      api.admin,
      'DELETE',
      '/api/presentations/jobs/cleanup?days=7&status=failed,cancelled,timeout',
    );
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await api.app.jobs.get(failed.jobId, ALL_JOBS)).toBeNull();
    expect((await api.call(wallet, 'GET', `/api/videos/${completed.jobId}`)).status).toBe(200);
  });

  it('manual video deletion: the job goes with its video', async () => {
    const job = await generate();
    await cancel(job.jobId);
    const response = await api.call(wallet, 'DELETE', `/api/presentations/jobs/${job.jobId}`);
    expect(response.status).toBe(200);
    expect((await api.call(wallet, 'GET', `/api/videos/status/${job.jobId}`)).status).toBe(404);
  });

  it("a user key cannot post for another wallet (the seed's backend could)", async () => {
    const response = await api.call(wallet, 'POST', '/api/generate', {
      script: SCRIPT,
      walletAddress: 'someone-else',
    });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('WALLET_MISMATCH');
  });

  it('the backend posts {script, walletAddress, title} for any wallet with a service key; ensureUser creates the user once', async () => {
    const created = await api.call(api.admin, 'POST', '/api/admin/users', { role: 'service' });
    expect(created.status, await created.clone().text()).toBe(201);
    const body = await json<{ user: { id: string }; key: { key: string } }>(created);
    const backend: TestUser = { id: body.user.id, key: body.key.key, walletAddress: null };
    const post = () =>
      api.call(backend, 'POST', '/api/generate', {
        script: SCRIPT,
        walletAddress: 'wallet-new-004',
        title: 'Rain',
      });
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status]).toEqual([202, 202]);
    const user = await api.app.database.users.findByWallet('wallet-new-004');
    expect(user).toMatchObject({ role: 'user', walletAddress: 'wallet-new-004' });
    // The jobs are the wallet user's, readable by the backend through seed 004's status route.
    const { jobId } = await json<Generated>(first);
    expect((await api.app.jobs.get(jobId, ALL_JOBS))?.userId).toBe(user!.id);
    const status = await api.call(backend, 'GET', `/api/videos/status/${jobId}`);
    expect(status.status).toBe(200);
  });
});
