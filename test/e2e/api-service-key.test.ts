/**
 * Seed 004's backend: a service key (role `service`) posts `{script, walletAddress, title}` for any
 * wallet. The wallet's user is created on first use (once, however many requests race), the job is
 * that user's with that user's points and limits, a user key still acts only for its own wallet,
 * and a service key can call nothing but seed 004's generate, status and video routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorOf,
  fillPath,
  hasBody,
  isPublic,
  json,
  routeTable,
  type WireJob,
} from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';

interface Generated {
  jobId: string;
  status: string;
}

interface CreatedUser {
  user: { id: string; role: string; walletAddress: string | null; prompt_points: number };
  key: { key: string };
}

const SCRIPT = 'A short script. It scrolls by.';

describe('HTTP API: service keys act for any wallet (seed 004)', () => {
  let api: ApiHarness;
  let service: TestUser;

  beforeAll(async () => {
    // One point a job and one active job per user: the wallet's user pays and is limited, not the
    // service (whose own balance and admin limits would allow more).
    api = await startApi({ JOB_COST_POINTS: 1, MAX_ACTIVE_JOBS_PER_USER: 1 }, { workers: 0 });
    const created = await api.call(api.admin, 'POST', '/api/admin/users', { role: 'service', points: 1000 });
    expect(created.status).toBe(201);
    const body = await json<CreatedUser>(created);
    expect(body.user.role).toBe('service');
    service = { id: body.user.id, key: body.key.key, walletAddress: null };
    await api.app.database.users.adjustPoints(api.admin.id, 100);
  });
  afterAll(() => api.close());

  const generate = (caller: TestUser, walletAddress?: string) =>
    api.call(caller, 'POST', '/api/generate', { script: SCRIPT, title: 'Seed 004', walletAddress });

  it('creates the wallet user on first use; the job is that user’s, paid with its points', async () => {
    const wallet = 'WalletFirstUse1111';
    const first = await generate(service, wallet);
    // The new user has no points yet: refused for the wallet's balance, not the service's.
    expect(first.status).toBe(402);
    expect((await errorOf(first)).code).toBe('INSUFFICIENT_POINTS');
    const user = await api.app.database.users.findByWallet(wallet);
    expect(user).toMatchObject({ role: 'user', walletAddress: wallet, promptPoints: 0 });

    await api.app.database.users.adjustPoints(user!.id, 5);
    const answer = await generate(service, wallet);
    expect(answer.status).toBe(202);
    const { jobId } = await json<Generated>(answer);
    const job = await api.app.jobs.get(jobId, { all: true });
    expect(job?.userId).toBe(user!.id);
    expect((await api.app.database.users.getUser(user!.id))?.promptPoints).toBe(4);
    expect((await api.app.database.users.getUser(service.id))?.promptPoints).toBe(1000);

    // The wallet's own key reads the job; the service reads it too; another user does not.
    const key = await api.app.database.users.createKey(user!.id, 'wallet');
    const owner: TestUser = { id: user!.id, key: key.key, walletAddress: wallet };
    const byOwner = await api.call(owner, 'GET', `/api/videos/status/${jobId}`);
    expect(byOwner.status).toBe(200);
    expect((await api.call(owner, 'GET', `/api/presentations/jobs/${jobId}`)).status).toBe(200);
    expect((await api.call(service, 'GET', `/api/videos/status/${jobId}`)).status).toBe(200);
    const stranger = await api.createUser({ wallet: 'WalletStranger2222' });
    expect((await api.call(stranger, 'GET', `/api/videos/status/${jobId}`)).status).toBe(404);

    // The wallet user's active-jobs limit (1), not the admin limits a service key has for itself.
    const second = await generate(service, wallet);
    expect(second.status).toBe(429);
    expect((await errorOf(second)).code).toBe('TOO_MANY_JOBS');
  });

  it('concurrent first uses of one wallet create one user', async () => {
    const wallet = 'WalletRace3333';
    const answers = await Promise.all(Array.from({ length: 20 }, () => generate(service, wallet)));
    // No points: every request is refused for the wallet's balance, none fails on the race.
    const codes = await Promise.all(answers.map(async (answer) => (await errorOf(answer)).code));
    expect(new Set(codes)).toEqual(new Set(['INSUFFICIENT_POINTS']));
    const users = (await api.app.database.users.listUsers()).filter((u) => u.walletAddress === wallet);
    expect(users).toHaveLength(1);
  });

  it('a user key acts only for its own wallet; a service key must name one', async () => {
    const user = await api.createUser({ wallet: 'WalletOwn4444', points: 5 });
    const other = await generate(user, 'WalletOther5555');
    expect(other.status).toBe(403);
    expect((await errorOf(other)).code).toBe('WALLET_MISMATCH');
    expect(await api.app.database.users.findByWallet('WalletOther5555')).toBeNull();
    expect((await generate(user, 'WalletOwn4444')).status).toBe(202);

    const unnamed = await generate(service);
    expect(unnamed.status).toBe(400);
    expect((await errorOf(unnamed)).code).toBe('VALIDATION_FAILED');
  });

  it("a service key never acts for an admin's or a service's wallet, nor reads their jobs", async () => {
    const created = await api.call(api.admin, 'POST', '/api/admin/users', {
      role: 'admin',
      walletAddress: 'WalletAdmin6666',
    });
    expect(created.status).toBe(201);
    const refused = await generate(service, 'WalletAdmin6666');
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe('WALLET_MISMATCH');

    const adminAnswer = await generate(api.admin);
    expect(adminAnswer.status).toBe(202);
    const adminJob = await json<Generated>(adminAnswer);
    expect((await api.call(service, 'GET', `/api/videos/status/${adminJob.jobId}`)).status).toBe(404);
    expect((await api.call(service, 'GET', `/api/videos/${adminJob.jobId}`)).status).toBe(404);
    expect((await api.call(service, 'GET', `/api/videos/${adminJob.jobId}/captions.vtt`)).status).toBe(404);
  });

  it('a service key gets 403 on every other route (admin routes included)', async () => {
    const allowed = new Set([
      'POST /api/generate',
      'GET /api/videos/status/:jobId',
      'HEAD /api/videos/status/:jobId',
      'GET /api/videos/:jobId',
      'HEAD /api/videos/:jobId',
      'GET /api/videos/:jobId/thumbnail',
      'HEAD /api/videos/:jobId/thumbnail',
      'GET /api/videos/:jobId/captions.vtt',
      'HEAD /api/videos/:jobId/captions.vtt',
    ]);
    const others = routeTable(api).filter(
      (route) =>
        !isPublic(route) && !allowed.has(`${route.method} ${route.url}`) && route.url.startsWith('/api'),
    );
    expect(others.length).toBeGreaterThan(20);
    const answered: string[] = [];
    for (const route of others) {
      const answer = await api.call(
        service,
        route.method,
        fillPath(route.url, '00000000-0000-7000-8000-000000000000'),
        hasBody(route.method) ? {} : undefined,
      );
      // A HEAD answer has no body: its status says it.
      const code =
        answer.status === 403 && route.method !== 'HEAD'
          ? (await errorOf(answer)).code
          : String(answer.status);
      if (route.method === 'HEAD' && answer.status === 403) continue;
      if (code !== 'FORBIDDEN') answered.push(`${route.method} ${route.url}: ${code}`);
      else await answer.arrayBuffer().catch(() => undefined);
    }
    expect(answered).toEqual([]);
    const listed = await api.call(service, 'GET', '/api/admin/users');
    expect(listed.status).toBe(403);
    // And the admin keeps its powers.
    expect((await api.call(api.admin, 'GET', '/api/admin/users')).status).toBe(200);
  });

  it('an admin key still creates jobs for itself on /api/generate', async () => {
    const answer = await generate(api.admin);
    expect(answer.status).toBe(202);
    const { jobId } = await json<Generated>(answer);
    const job = await json<WireJob>(await api.call(api.admin, 'GET', `/api/presentations/jobs/${jobId}`));
    expect(job.id).toBe(jobId);
  });
});
