/**
 * Over real HTTP: stored lessons (create, read, list, render by lesson_id), each user seeing only
 * their own; and the admin routes for users, keys and points, which answer 403 to users.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows } from '../support/db-fixtures.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { waitFor } from '../support/wait.js';

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
const codeOf = async (response: Response) => (await json<{ error: { code: string } }>(response)).error.code;

const LESSON = {
  title: 'Tides',
  slides: [
    { title: 'The moon pulls', bullets: ['Gravity'], narration: 'The moon pulls the sea.' },
    { title: 'Twice a day', narration: 'Most coasts see two tides a day.' },
    { title: 'Spring tides', narration: 'Sun and moon in line make bigger tides.' },
  ],
};

interface WireLesson {
  id: string;
  user_id: string;
  title: string;
  slides: { title: string; bullets: string[]; narration: string }[];
  slide_count: number;
  created_at: string;
}

async function lessonCount(api: ApiHarness): Promise<number> {
  const rows = await api.t.sql<{ n: number | string }>({
    sqlite: 'SELECT count(*) AS n FROM lessons',
    postgres: 'SELECT count(*)::int AS n FROM lessons',
  });
  return Number(rows[0]?.n);
}

describe('HTTP API: lessons and admin routes', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice-lessons' });
    bob = await api.createUser({ wallet: 'wallet-bob-lessons' });
  });
  afterAll(() => api.close());

  describe('lessons', () => {
    let stored: WireLesson;

    beforeAll(async () => {
      const response = await api.call(alice, 'POST', '/api/lessons', LESSON);
      expect(response.status).toBe(201);
      stored = await json<WireLesson>(response);
    });

    it('stores a JSON lesson and gives it back to its owner', async () => {
      expect(stored).toMatchObject({ user_id: alice.id, title: 'Tides', slide_count: 3 });
      expect(stored.slides[1]).toEqual({
        title: 'Twice a day',
        bullets: [],
        narration: 'Most coasts see two tides a day.',
      });
      const read = await api.call(alice, 'GET', `/api/lessons/${stored.id}`);
      expect(read.status).toBe(200);
      expect(await json(read)).toEqual(stored);
    });

    it('stores Markdown and plain scripts as slides', async () => {
      const markdown = await api.call(alice, 'POST', '/api/lessons', {
        markdown: '# Volcanoes\n\n## Magma\nRock melts deep down.\n\n## Eruptions\nPressure pushes it out.',
      });
      expect(markdown.status).toBe(201);
      expect(await json(markdown)).toMatchObject({ title: 'Volcanoes' });
      const script = await api.call(alice, 'POST', '/api/lessons', {
        script: 'Snow is frozen water. Every flake has six sides.',
        title: 'Snow',
      });
      expect(script.status).toBe(201);
      expect((await json<WireLesson>(script)).slide_count).toBeGreaterThanOrEqual(1);
    });

    it('rejects a lesson that would not render, or unknown fields, and stores nothing', async () => {
      const before = await lessonCount(api);
      for (const [body, code] of [
        [{}, 'INVALID_PAYLOAD'],
        [{ slides: LESSON.slides }, 'INVALID_PAYLOAD'],
        [{ ...LESSON, script: 'Also a script.' }, 'INVALID_PAYLOAD'],
        [{ script: '   ' }, 'INVALID_PAYLOAD'],
        [{ ...LESSON, style: 'scrolling' }, 'VALIDATION_FAILED'],
        [{ title: 'x', slides: 'not a list' }, 'VALIDATION_FAILED'],
        // Longer than LESSON_MAX_SCRIPT_CHARS (60,000 by default): refused by the lesson's own check.
        [{ script: 'x'.repeat(60_001) }, 'INVALID_PAYLOAD'],
      ] as const) {
        const response = await api.call(alice, 'POST', '/api/lessons', body);
        expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(await codeOf(response)).toBe(code);
      }
      expect(await lessonCount(api)).toBe(before);
    });

    it("answers 404 for another user's lesson exactly as for a missing one, and lists only the caller's", async () => {
      const foreign = await api.call(bob, 'GET', `/api/lessons/${stored.id}`);
      const missing = await api.call(bob, 'GET', `/api/lessons/${randomUUID()}`);
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      const foreignError = await json<{ error: { code: string; details: unknown } }>(foreign);
      expect(foreignError.error.code).toBe('LESSON_NOT_FOUND');
      expect(JSON.stringify(foreignError)).not.toContain('Tides');
      expect((await json<{ error: { code: string } }>(missing)).error.code).toBe('LESSON_NOT_FOUND');

      await api.call(bob, 'POST', '/api/lessons', { script: 'Bob has his own lesson.' });
      const bobs = await json<{ lessons: { id: string; title: string }[] }>(
        await api.call(bob, 'GET', '/api/lessons'),
      );
      expect(bobs.lessons).toHaveLength(1);
      expect(bobs.lessons.map((l) => l.id)).not.toContain(stored.id);
      const alices = await json<{ lessons: { id: string }[]; count: number }>(
        await api.call(alice, 'GET', '/api/lessons'),
      );
      expect(alices.lessons.map((l) => l.id)).toContain(stored.id);
      expect(alices.count).toBe(alices.lessons.length);
    });

    it('pages through the list with a cursor', async () => {
      const first = await json<{ lessons: { id: string }[]; next_cursor: string | null }>(
        await api.call(alice, 'GET', '/api/lessons?limit=1'),
      );
      expect(first.lessons).toHaveLength(1);
      expect(first.next_cursor).not.toBeNull();
      const second = await json<{ lessons: { id: string }[] }>(
        await api.call(alice, 'GET', `/api/lessons?limit=1&cursor=${first.next_cursor}`),
      );
      expect(second.lessons[0]?.id).not.toBe(first.lessons[0]?.id);
      expect((await api.call(alice, 'GET', '/api/lessons?limit=101')).status).toBe(400);
      expect((await api.call(alice, 'GET', '/api/lessons?cursor=bogus')).status).toBe(400);
    });

    it('renders a stored lesson from lesson_id alone', async () => {
      const created = await api.call(alice, 'POST', '/api/presentations/generate', {
        lesson_id: stored.id,
        resolution: '320x180',
      });
      expect(created.status).toBe(202);
      const job = await json<{ id: string; lesson_id: string }>(created);
      expect(job.lesson_id).toBe(stored.id);
      const done = await waitFor(
        async () => {
          const current = await json<{ status: string; slide_count: number | null }>(
            await api.call(alice, 'GET', `/api/presentations/jobs/${job.id}`),
          );
          return ['completed', 'failed', 'cancelled', 'timeout'].includes(current.status) ? current : null;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: 'the lesson to render' },
      );
      expect(done).toMatchObject({ status: 'completed', slide_count: 3 });
    });

    it("refuses to render another user's lesson or a missing one, and queues nothing", async () => {
      const before = await countRows(api.t, 'jobs');
      for (const id of [stored.id, randomUUID(), 'not-a-lesson']) {
        const response = await api.call(bob, 'POST', '/api/presentations/generate', { lesson_id: id });
        expect(response.status, id).toBe(404);
        expect(await codeOf(response)).toBe('LESSON_NOT_FOUND');
      }
      const nothing = await api.call(bob, 'POST', '/api/presentations/generate', { style: 'default' });
      expect(nothing.status).toBe(400);
      expect(await countRows(api.t, 'jobs')).toBe(before);
    });
  });

  describe('admin routes', () => {
    const adminCalls = (userId: string) =>
      [
        ['GET', '/api/admin/users', undefined],
        ['POST', '/api/admin/users', { points: 1_000 }],
        ['POST', `/api/admin/users/${userId}/keys`, {}],
        ['DELETE', `/api/admin/keys/${userId}`, undefined],
        ['POST', `/api/admin/users/${userId}/points`, { delta: 1_000 }],
        ['POST', `/api/admin/users/${userId}/points`, { delta: 'lots' }],
      ] as const;

    it('answer 403 FORBIDDEN to users, whatever the body, and change nothing', async () => {
      const users = (await api.app.database.users.listUsers()).length;
      for (const [method, path, body] of adminCalls(alice.id)) {
        const response = await api.call(bob, method, path, body);
        expect(response.status, `${method} ${path}`).toBe(403);
        expect(await codeOf(response)).toBe('FORBIDDEN');
      }
      expect((await api.app.database.users.listUsers()).length).toBe(users);
      expect((await api.app.database.users.getUser(alice.id))?.promptPoints).toBe(0);
    });

    it('create a user with a first key shown once, which authenticates', async () => {
      const response = await api.call(api.admin, 'POST', '/api/admin/users', {
        walletAddress: 'wallet-carol-admin',
        points: 7,
      });
      expect(response.status).toBe(201);
      const created = await json<{
        user: { id: string; role: string; walletAddress: string; prompt_points: number };
        key: { id: string; key: string; prefix: string; user_id: string };
      }>(response);
      expect(created.user).toMatchObject({
        role: 'user',
        walletAddress: 'wallet-carol-admin',
        prompt_points: 7,
      });
      expect(created.key.user_id).toBe(created.user.id);
      expect(created.key.key).toContain(created.key.prefix);
      const carol = { id: created.user.id, key: created.key.key, walletAddress: 'wallet-carol-admin' };
      expect(await json(await api.call(carol, 'GET', '/api/users/me'))).toMatchObject({
        id: created.user.id,
        prompt_points: 7,
      });

      const taken = await api.call(api.admin, 'POST', '/api/admin/users', {
        walletAddress: 'wallet-carol-admin',
      });
      expect(taken.status).toBe(409);
      expect(await codeOf(taken)).toBe('WALLET_TAKEN');
      const bad = await api.call(api.admin, 'POST', '/api/admin/users', { role: 'root' });
      expect(bad.status).toBe(400);

      const listed = await json<{ users: { id: string; prompt_points: number }[]; count: number }>(
        await api.call(api.admin, 'GET', '/api/admin/users'),
      );
      expect(listed.users).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: created.user.id, prompt_points: 7 })]),
      );
      expect(listed.count).toBe(listed.users.length);
      expect(JSON.stringify(listed)).not.toContain('whsec_');
    });

    it('create and revoke keys by prefix or id; a revoked key gets 401', async () => {
      const response = await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/keys`, {
        label: 'laptop',
      });
      expect(response.status).toBe(201);
      const key = await json<{ id: string; key: string; prefix: string }>(response);
      const bobAgain = { ...bob, key: key.key };
      expect((await api.call(bobAgain, 'GET', '/api/users/me')).status).toBe(200);

      const revoked = await api.call(api.admin, 'DELETE', `/api/admin/keys/${key.prefix}`);
      expect(revoked.status).toBe(200);
      expect(await json(revoked)).toMatchObject({ id: key.id, user_id: bob.id, label: 'laptop' });
      expect((await api.call(bobAgain, 'GET', '/api/users/me')).status).toBe(401);
      // Bob's first key still works.
      expect((await api.call(bob, 'GET', '/api/users/me')).status).toBe(200);

      const another = await json<{ id: string; key: string }>(
        await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/keys`),
      );
      expect((await api.call(api.admin, 'DELETE', `/api/admin/keys/${another.id}`)).status).toBe(200);
      expect((await api.call({ ...bob, key: another.key }, 'GET', '/api/users/me')).status).toBe(401);

      const unknownKey = await api.call(api.admin, 'DELETE', '/api/admin/keys/000000000000');
      expect(unknownKey.status).toBe(404);
      expect(await codeOf(unknownKey)).toBe('KEY_NOT_FOUND');
      const unknownUser = await api.call(api.admin, 'POST', `/api/admin/users/${randomUUID()}/keys`);
      expect(unknownUser.status).toBe(404);
      expect(await codeOf(unknownUser)).toBe('USER_NOT_FOUND');
    });

    it('add and take points, never below zero', async () => {
      const added = await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/points`, { delta: 5 });
      expect(added.status).toBe(200);
      expect(await json(added)).toMatchObject({ id: bob.id, prompt_points: 5 });
      const taken = await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/points`, { delta: -2 });
      expect(await json(taken)).toMatchObject({ prompt_points: 3 });
      const short = await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/points`, { delta: -4 });
      expect(short.status).toBe(402);
      expect(await codeOf(short)).toBe('INSUFFICIENT_POINTS');
      expect((await api.app.database.users.getUser(bob.id))?.promptPoints).toBe(3);
      const missing = await api.call(api.admin, 'POST', `/api/admin/users/${randomUUID()}/points`, {
        delta: 1,
      });
      expect(missing.status).toBe(404);
      expect(
        (await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/points`, { delta: 1.5 })).status,
      ).toBe(400);
    });
  });
});
