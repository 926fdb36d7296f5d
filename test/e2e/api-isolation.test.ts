/**
 * Per-user isolation over real HTTP, generated from the service's route table so that a route added
 * later is covered without touching this file: another user's ids answer 404 exactly like missing
 * ones, lists hold only the caller's rows, admin routes answer 403 to users, and bad keys get 401.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  errorOf,
  fillPath,
  getJob,
  hasBody,
  isAdmin,
  isPublic,
  json,
  pathParams,
  routeTable,
  rowCounts,
  untilStatus,
  type Route,
  type WireJob,
} from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';

/** Text only Alice's lesson contains: it must never reach Bob. */
const SECRET = 'Alice keeps a secret about quartz crystals';

const ALICE_LESSON = {
  lesson: {
    title: 'Quartz',
    slides: [{ title: 'Quartz', narration: `${SECRET}.` }],
  },
  resolution: '320x180',
};

/** Bodies for routes whose body has required fields, so the call reaches the owner check. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /api/presentations/jobs/:id': { priority: 'high' },
  // JSON Lines with no job: the header alone (a user gets 403 before the body is read).
  'POST /api/admin/jobs/import': '{"format":"reelqueue-jobs","version":1}',
};

/** Ids that name no job of Bob's: random UUIDs and junk that is no UUID at all. */
const FOREIGN_IDS = [
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  '12345',
  'x'.repeat(100),
  '../../etc/passwd',
  '%',
  'ÄÖÜ-ünïcode',
];

describe('HTTP API: per-user isolation, from the route table', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let bob: TestUser;
  let aliceDone: WireJob;
  let alicePending: WireJob;
  let bobPending: WireJob;
  let aliceVideo: Buffer;
  let routes: Route[];
  /** Every id of Alice's: her jobs, and her stored lesson where lessons exist. */
  let aliceIds: string[];

  beforeAll(async () => {
    // This sweep sends hundreds of wrong keys on purpose: failed authentication is not throttled here.
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0, AUTH_FAILURES_PER_MINUTE: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice-isolation' });
    bob = await api.createUser({ wallet: 'wallet-bob-isolation' });
    aliceDone = await untilStatus(api, alice, (await createJob(api, alice, ALICE_LESSON)).id, 'completed');
    aliceVideo = Buffer.from(
      await (await api.call(alice, 'GET', `/api/videos/${aliceDone.id}`)).arrayBuffer(),
    );
    // No worker from here on: the jobs created next stay pending.
    await Promise.all(api.service.workers.map((worker) => worker.stop()));
    alicePending = await createJob(api, alice, { ...ALICE_LESSON, priority: 'low' });
    bobPending = await createJob(api, bob, { script: 'Bob has a lesson of his own.' });
    routes = routeTable(api);
    aliceIds = [aliceDone.id, alicePending.id];
    // Where the service stores lessons, Alice's stored lesson is one more id of hers to try.
    if (routes.some((r) => r.method === 'POST' && r.url === '/api/lessons')) {
      const stored = await api.call(alice, 'POST', '/api/lessons', ALICE_LESSON.lesson);
      expect(stored.status).toBe(201);
      aliceIds.push((await json<{ id: string }>(stored)).id);
    }
  });
  afterAll(() => api.close());

  /** Nothing of Alice's — ids, user id, wallet, lesson text, video bytes — is in this answer. */
  function expectNoAliceData(body: Buffer, context: string): void {
    const text = body.toString('latin1');
    for (const secret of [...aliceIds, alice.id, 'wallet-alice-isolation', SECRET, 'quartz'])
      expect(text, `${context} leaks ${secret}`).not.toContain(secret);
    expect(text, context).not.toContain('ftyp');
    expect(body.includes(aliceVideo.subarray(1000, 1032)), context).toBe(false);
  }

  const idRoutes = () => routes.filter((r) => pathParams(r.url).length > 0 && !isPublic(r) && !isAdmin(r));

  it('finds the routes that take an id in the route table', () => {
    const names = idRoutes().map((r) => `${r.method} ${r.url}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/presentations/jobs/:id',
        'POST /api/presentations/jobs/:id/cancel',
        'POST /api/presentations/jobs/:id/retry',
        'GET /api/presentations/jobs/:id/events',
        'GET /api/videos/status/:jobId',
        'GET /api/videos/:jobId',
        'HEAD /api/videos/:jobId',
        'GET /api/videos/:jobId/thumbnail',
        'GET /api/videos/:jobId/captions.vtt',
      ]),
    );
  });

  it("answers 404 to every route that takes an id, for another user's ids as for missing ones, with none of their data", async () => {
    const before = await rowCounts(api);
    const checked: string[] = [];
    for (const route of idRoutes()) {
      const body = hasBody(route.method) ? (SAMPLE_BODIES[`${route.method} ${route.url}`] ?? {}) : undefined;
      const answers = new Map<string, string>();
      for (const id of [...aliceIds, ...FOREIGN_IDS]) {
        const context = `${route.method} ${fillPath(route.url, id)} as Bob`;
        const response = await api.call(bob, route.method, fillPath(route.url, id), body);
        const bytes = Buffer.from(await response.arrayBuffer());
        expect(response.status, `${context}: ${bytes.toString()}`).toBe(404);
        expect(bytes.length, `${context} answers ${bytes.length} bytes`).toBeLessThan(512);
        expectNoAliceData(bytes, context);
        if (route.method !== 'HEAD') {
          const error = (JSON.parse(bytes.toString()) as { error: { code: string } }).error;
          expect(error.code, context).toMatch(/NOT_FOUND$/);
        }
        answers.set(id, bytes.toString());
      }
      // Someone else's job is indistinguishable from one that does not exist.
      const missing = answers.get(FOREIGN_IDS[0] ?? '');
      for (const id of aliceIds) expect(answers.get(id), `${route.method} ${route.url}`).toBe(missing);
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked.length).toBeGreaterThanOrEqual(8);

    // Bob's calls changed nothing of Alice's.
    expect(await rowCounts(api)).toEqual(before);
    expect(await getJob(api, alice, aliceDone.id)).toMatchObject({
      status: 'completed',
      updated_at: aliceDone.updated_at,
    });
    expect(await getJob(api, alice, alicePending.id)).toMatchObject({
      status: 'pending',
      updated_at: alicePending.updated_at,
    });
  });

  it('lets the owner reach the same routes with the same ids (the 404s above are about ownership)', async () => {
    for (const path of [
      `/api/presentations/jobs/${aliceDone.id}`,
      `/api/videos/status/${aliceDone.id}`,
      `/api/videos/${aliceDone.id}`,
      `/api/videos/${aliceDone.id}/thumbnail`,
      `/api/videos/${aliceDone.id}/captions.vtt`,
    ]) {
      expect((await api.call(alice, 'GET', path)).status, path).toBe(200);
    }
  });

  it('serves the owner and an admin the captions of a video as WebVTT, with the narration in them', async () => {
    for (const caller of [alice, api.admin]) {
      const response = await api.call(caller, 'GET', `/api/videos/${aliceDone.id}/captions.vtt`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
      const text = await response.text();
      expect(text.startsWith('WEBVTT\n')).toBe(true);
      const spoken = text
        .split('\n')
        .slice(1)
        .filter((line) => line !== '' && !/^\d+$/.test(line) && !line.includes(' --> '))
        .join(' ');
      expect(spoken).toContain(SECRET);
    }
  });

  it("cancels nothing of another user's in a bulk cancel, and reports those ids as not found", async () => {
    const response = await api.call(bob, 'POST', '/api/presentations/jobs/bulk-cancel', {
      job_ids: [alicePending.id, aliceDone.id],
    });
    expect(response.status).toBe(200);
    const outcome = await json<{ cancelled: string[]; not_found: string[]; already_finished: string[] }>(
      response,
    );
    expect(outcome).toMatchObject({ cancelled: [], already_finished: [] });
    expect([...outcome.not_found].sort()).toEqual([alicePending.id, aliceDone.id].sort());
    expect((await getJob(api, alice, alicePending.id)).status).toBe('pending');
  });

  it("leaves another user's finished jobs alone in a cleanup", async () => {
    const response = await api.call(bob, 'DELETE', '/api/presentations/jobs/cleanup?max_age_hours=0');
    expect(response.status).toBe(200);
    expect((await getJob(api, alice, aliceDone.id)).status).toBe('completed');
  });

  it("holds only the caller's rows in lists, health, statistics and the account", async () => {
    const list = async (user: TestUser) =>
      (
        await json<{ jobs: WireJob[] }>(
          await api.call(user, 'GET', '/api/presentations/jobs?include_finished=true&limit=100'),
        )
      ).jobs;
    expect((await list(bob)).map((job) => job.id)).toEqual([bobPending.id]);
    expect((await list(alice)).map((job) => job.id).sort()).toEqual([aliceDone.id, alicePending.id].sort());
    for (const job of await list(bob)) expect(job.user_id).toBe(bob.id);

    const bobList = await api.call(bob, 'GET', '/api/presentations/jobs?include_finished=true&limit=100');
    expectNoAliceData(Buffer.from(await bobList.arrayBuffer()), 'Bob’s job list');

    const health = await json<{ total: number; pending: number; completed: number }>(
      await api.call(bob, 'GET', '/api/presentations/jobs/health'),
    );
    expect(health).toMatchObject({ total: 1, pending: 1, completed: 0 });
    const stats = await json<{ total: number; by_status: Record<string, number> }>(
      await api.call(bob, 'GET', '/api/presentations/jobs/statistics?hours=24'),
    );
    expect(stats.total).toBe(1);
    expect(stats.by_status).toMatchObject({ pending: 1, completed: 0 });
    const me = await json<{ id: string; usage: { total: number } }>(
      await api.call(bob, 'GET', '/api/users/me'),
    );
    expect(me).toMatchObject({ id: bob.id, usage: { total: 1 } });

    const aliceHealth = await json<{ total: number }>(
      await api.call(alice, 'GET', '/api/presentations/jobs/health'),
    );
    expect(aliceHealth.total).toBe(2);
    // An admin sees everyone's.
    const all = await json<{ total: number }>(
      await api.call(api.admin, 'GET', '/api/presentations/jobs/health'),
    );
    expect(all.total).toBe(3);
  });

  it("answers every list-like route (GET without an id) with none of another user's data", async () => {
    const lists = routes.filter(
      (r) =>
        r.method === 'GET' &&
        r.url.startsWith('/api/') &&
        pathParams(r.url).length === 0 &&
        !isPublic(r) &&
        !isAdmin(r),
    );
    expect(lists.map((r) => r.url)).toEqual(
      expect.arrayContaining([
        '/api/presentations/jobs',
        '/api/presentations/jobs/statistics',
        '/api/users/me',
      ]),
    );
    for (const route of lists) {
      const response = await api.call(bob, 'GET', route.url);
      expect(response.status, route.url).toBe(200);
      expectNoAliceData(Buffer.from(await response.arrayBuffer()), `GET ${route.url} as Bob`);
    }
  });

  it('answers 403 to a user on every admin route, and lets an admin through', async () => {
    const admin = routes.filter(isAdmin);
    expect(admin.map((r) => `${r.method} ${r.url}`)).toContain(
      'POST /api/presentations/jobs/system/recovery',
    );
    for (const route of admin) {
      const path = fillPath(route.url, alicePending.id);
      const body = hasBody(route.method) ? (SAMPLE_BODIES[`${route.method} ${route.url}`] ?? {}) : undefined;
      for (const user of [alice, bob]) {
        const response = await api.call(user, route.method, path, body);
        expect(response.status, `${route.method} ${path}`).toBe(403);
        if (route.method !== 'HEAD') expect((await errorOf(response)).code).toBe('FORBIDDEN');
      }
    }
    const recovery = await api.call(api.admin, 'POST', '/api/presentations/jobs/system/recovery');
    expect(recovery.status).toBe(200);
  });

  it('answers 401 to a missing, malformed, wrong or revoked key on every /api route but the public ones', async () => {
    const carol = await api.createUser();
    expect((await api.call(carol, 'GET', '/api/users/me')).status).toBe(200);
    await api.app.database.users.revokeKey(carol.key);
    const wrongKey = `${bob.key.slice(0, -4)}${bob.key.endsWith('aaaa') ? 'bbbb' : 'aaaa'}`;
    const credentials: Record<string, string | null> = {
      missing: null,
      'empty bearer': 'Bearer ',
      'bearer without a key': 'Bearer',
      'another scheme': `Basic ${Buffer.from('bob:secret').toString('base64')}`,
      'key without a scheme': bob.key,
      'too short': 'Bearer abc',
      'two keys': `Bearer ${bob.key} ${bob.key}`,
      'wrong key': `Bearer ${wrongKey}`,
      'unknown key': 'Bearer rq_000000000000_notarealkeyatallnotarealkeyatall',
      'revoked key': `Bearer ${carol.key}`,
    };
    const before = await rowCounts(api);
    const protectedRoutes = routes.filter((r) => r.url.startsWith('/api/') && !isPublic(r));
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(15);
    for (const route of protectedRoutes) {
      const path = fillPath(route.url, alicePending.id);
      for (const [name, authorization] of Object.entries(credentials)) {
        const response = await api.call(
          null,
          route.method,
          path,
          hasBody(route.method) ? { script: 'Sneaky.' } : undefined,
          authorization === null ? {} : { authorization },
        );
        expect(response.status, `${route.method} ${path} with a ${name}`).toBe(401);
        if (route.method !== 'HEAD') expect((await errorOf(response)).code).toBe('UNAUTHORIZED');
        else expect((await response.arrayBuffer()).byteLength).toBe(0);
      }
    }
    expect(await rowCounts(api)).toEqual(before);
  });

  it('answers the public routes without a key', async () => {
    for (const route of routes.filter((r) => isPublic(r) && r.method === 'GET' && !r.url.includes('*'))) {
      const response = await api.call(null, 'GET', route.url);
      expect(response.status, route.url).toBe(200);
    }
  });
});
