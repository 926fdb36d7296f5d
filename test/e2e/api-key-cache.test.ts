/**
 * API nodes remember who a key belongs to, and a remembered key never outlives its revoke: whoever
 * revokes it (this process, another process, an operator's SQL), the API answers 401 to it, at once
 * in the revoking process, and elsewhere as soon as the notification arrives (PostgreSQL) or at the
 * very next request (SQLite, whose revision is a counter in the database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../src/db/open-database.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { waitFor } from '../support/wait.js';

describe('HTTP API: remembered API keys', () => {
  let api: ApiHarness;
  /** Another handle on the same database, as the CLI on another host would have. */
  let otherProcess: OpenDatabase;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
    otherProcess = await api.t.reopen();
  });

  afterAll(async () => {
    await api?.close();
  });

  const me = (user: TestUser) => api.call(user, 'GET', '/api/users/me');
  /** Two accepted calls: the second is answered from memory where keys are remembered. */
  const accepted = async (user: TestUser) => {
    expect((await me(user)).status).toBe(200);
    expect((await me(user)).status).toBe(200);
  };
  const refusedSoon = async (user: TestUser) => {
    if (api.t.dialect === 'sqlite') expect((await me(user)).status).toBe(401);
    else await waitFor(async () => (await me(user)).status === 401, { timeoutMs: 10_000, what: 'a 401' });
  };

  it('a key revoked in this process is refused at once', async () => {
    const user = await api.createUser();
    await accepted(user);
    await api.app.database.users.revokeKey(user.key);
    expect((await me(user)).status).toBe(401);
  });

  it('a key revoked by another process is refused', async () => {
    const user = await api.createUser();
    await accepted(user);
    await otherProcess.users.revokeKey(user.key);
    await refusedSoon(user);
  });

  it('a key revoked, or its user deleted, by hand in SQL is refused', async () => {
    const revoked = await api.createUser();
    const deleted = await api.createUser();
    await accepted(revoked);
    await accepted(deleted);
    await api.t.sql(
      {
        sqlite:
          "UPDATE api_keys SET revoked_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE user_id = ?",
        postgres: 'UPDATE api_keys SET revoked_at = now() WHERE user_id = ?',
      },
      [revoked.id],
    );
    const drop = 'DELETE FROM users WHERE id = ?';
    await api.t.sql({ sqlite: drop, postgres: drop }, [deleted.id]);
    await refusedSoon(revoked);
    await refusedSoon(deleted);
  });

  it('an admin made a user by hand in SQL loses the admin routes', async () => {
    const user = await api.createUser();
    const promote = "UPDATE users SET role = 'admin' WHERE id = ?";
    await api.t.sql({ sqlite: promote, postgres: promote }, [user.id]);
    await waitFor(async () => (await api.call(user, 'GET', '/api/admin/users')).status === 200, {
      what: 'admin access',
    });
    const demote = "UPDATE users SET role = 'user' WHERE id = ?";
    await api.t.sql({ sqlite: demote, postgres: demote }, [user.id]);
    await waitFor(async () => (await api.call(user, 'GET', '/api/admin/users')).status === 403, {
      timeoutMs: 10_000,
      what: 'a 403',
    });
  });
});
