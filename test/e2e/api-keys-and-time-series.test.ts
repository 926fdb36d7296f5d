/**
 * The dashboard's data routes: keys listed for an admin and for their owner, a user revoking only
 * their own (the one in use included), and the queue over time per minute and hour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, json, type ErrorAnswer } from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';

interface WireKey {
  id: string;
  user_id: string;
  prefix: string;
  label: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  user_role?: string;
  user_wallet_address?: string | null;
}

interface Series {
  period_hours: number;
  bucket: string;
  bucket_seconds: number;
  buckets: { start: string; created: number; queue_depth: number }[];
}

describe('HTTP API: key lists, revoking your own key, the queue over time', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice-keys', points: 100 });
    bob = await api.createUser({ wallet: 'wallet-bob-keys', points: 100 });
  });
  afterAll(() => api.close());

  const keysOf = async (user: TestUser, path: string) => {
    const response = await api.call(user, 'GET', path);
    expect(response.status, await response.clone().text()).toBe(200);
    return json<{ keys: WireKey[]; count: number; current_key_id?: string }>(response);
  };

  it("lists every user's keys for an admin, with owner and last use, and refuses a user", async () => {
    const listed = await keysOf(api.admin, '/api/admin/keys');
    const alices = listed.keys.find((key) => key.user_id === alice.id);
    expect(alices).toMatchObject({
      prefix: alice.key.split('_')[1],
      user_role: 'user',
      user_wallet_address: 'wallet-alice-keys',
      revoked_at: null,
    });
    expect(listed.keys.map((key) => key.user_id)).toEqual(expect.arrayContaining([api.admin.id, bob.id]));
    expect(JSON.stringify(listed)).not.toContain(alice.key);
    const refused = await api.call(alice, 'GET', '/api/admin/keys');
    expect(refused.status).toBe(403);
  });

  it('shows a user only their own keys, and which one they call with', async () => {
    const mine = await keysOf(alice, '/api/users/me/keys');
    expect(mine.keys.map((key) => key.user_id)).toEqual([alice.id]);
    expect(mine.current_key_id).toBe(mine.keys[0]?.id);
    expect(mine.keys[0]?.last_used_at).not.toBeNull();
  });

  it("answers 404 to a user revoking another user's key, which keeps working", async () => {
    const bobsKey = (await keysOf(bob, '/api/users/me/keys')).keys[0];
    const refused = await api.call(alice, 'DELETE', `/api/users/me/keys/${bobsKey?.prefix}`);
    expect(refused.status).toBe(404);
    expect((await json<ErrorAnswer>(refused)).error.code).toBe('KEY_NOT_FOUND');
    expect((await api.call(bob, 'GET', '/api/users/me')).status).toBe(200);
  });

  it('lets a user revoke a second key of theirs, then the one in use, which is refused from the next request', async () => {
    const second = await json<{ id: string; prefix: string; key: string }>(
      await api.call(api.admin, 'POST', `/api/admin/users/${bob.id}/keys`, { label: 'spare' }),
    );
    const spare: TestUser = { ...bob, key: second.key };
    const revoked = await api.call(bob, 'DELETE', `/api/users/me/keys/${second.prefix}`);
    expect(revoked.status).toBe(200);
    expect((await json<WireKey>(revoked)).revoked_at).not.toBeNull();
    expect((await api.call(spare, 'GET', '/api/users/me')).status).toBe(401);
    expect((await keysOf(bob, '/api/users/me/keys')).keys.map((key) => key.label)).not.toContain('spare');
    expect(
      (await keysOf(bob, '/api/users/me/keys?include_revoked=true')).keys.map((key) => key.label),
    ).toContain('spare');

    const current = (await keysOf(bob, '/api/users/me/keys')).current_key_id;
    const own = await api.call(bob, 'DELETE', `/api/users/me/keys/${current}`);
    expect(own.status).toBe(200);
    expect((await api.call(bob, 'GET', '/api/users/me')).status).toBe(401);
  });

  it('gives the queue over time per minute and per hour, scoped to the caller', async () => {
    await createJob(api, alice, { script: 'Alice waits in the queue.' });
    const perMinute = await json<Series>(
      await api.call(alice, 'GET', '/api/presentations/jobs/statistics/timeseries?hours=1&bucket=minute'),
    );
    expect(perMinute).toMatchObject({ period_hours: 1, bucket: 'minute', bucket_seconds: 60 });
    expect(perMinute.buckets).toHaveLength(61);
    expect(perMinute.buckets.at(-1)).toMatchObject({ created: 1, queue_depth: 1 });

    const perHour = await json<Series>(
      await api.call(api.admin, 'GET', '/api/presentations/jobs/statistics/timeseries'),
    );
    expect(perHour).toMatchObject({ period_hours: 24, bucket: 'hour', bucket_seconds: 3600 });
    expect(perHour.buckets).toHaveLength(25);
    expect(perHour.buckets.reduce((sum, b) => sum + b.created, 0)).toBeGreaterThanOrEqual(1);

    const carol = await api.createUser({ wallet: 'wallet-carol-keys' });
    const carolsView = await json<Series>(
      await api.call(carol, 'GET', '/api/presentations/jobs/statistics/timeseries?hours=2&bucket=hour'),
    );
    expect(carolsView.buckets).toHaveLength(3);
    expect(carolsView.buckets.every((b) => b.created === 0 && b.queue_depth === 0)).toBe(true);

    const tooLong = await api.call(
      alice,
      'GET',
      '/api/presentations/jobs/statistics/timeseries?hours=25&bucket=minute',
    );
    expect(tooLong.status).toBe(400);
    expect((await json<ErrorAnswer>(tooLong)).error.code).toBe('VALIDATION_FAILED');
  });
});
