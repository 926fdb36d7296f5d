/** Users, API keys and the first-start admin key, on both databases. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAdminKey } from '../../src/users/bootstrap.js';
import type { UserStore } from '../../src/users/store.js';
import { expectRejectsWith, useConformanceDatabase } from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const KEY_FORMAT = /^rq_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

async function userRows(t: TestDatabase): Promise<number> {
  const rows = await t.sql<{ n: number | string }>({
    sqlite: 'SELECT count(*) AS n FROM users',
    postgres: 'SELECT count(*)::int AS n FROM users',
  });
  return Number(rows[0]?.n);
}

async function keyRow(t: TestDatabase, id: string): Promise<Record<string, unknown>> {
  const rows = await t.sql(
    { sqlite: 'SELECT * FROM api_keys WHERE id = ?', postgres: 'SELECT * FROM api_keys WHERE id = ?' },
    [id],
  );
  if (!rows[0]) throw new Error(`no key ${id}`);
  return rows[0];
}

async function backdateLastUse(t: TestDatabase, keyId: string, minutes: number): Promise<void> {
  await t.sql(
    {
      sqlite:
        "UPDATE api_keys SET last_used_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? * 60000 WHERE id = ?",
      postgres: "UPDATE api_keys SET last_used_at = now() - (? * interval '1 minute') WHERE id = ?",
    },
    [minutes, keyId],
  );
}

async function lastUsedAt(users: UserStore, userId: string, keyId: string): Promise<Date | null> {
  const key = (await users.listKeys(userId)).find((k) => k.id === keyId);
  if (!key) throw new Error(`no key ${keyId}`);
  return key.lastUsedAt;
}

describe('users', () => {
  const ctx = useConformanceDatabase();

  it('creates a user with a wallet, points, a role and a webhook secret of its own', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser({ walletAddress: 'So1anaWa11et111', points: 25 });
    expect(user).toMatchObject({ walletAddress: 'So1anaWa11et111', promptPoints: 25, role: 'user' });
    expect(user.webhookSecret.length).toBeGreaterThanOrEqual(40);
    const admin = await t.db.users.createUser({ role: 'admin' });
    expect(admin).toMatchObject({ walletAddress: null, promptPoints: 0, role: 'admin' });
    expect(admin.webhookSecret).not.toBe(user.webhookSecret);
    expect(await t.db.users.getUser(user.id)).toEqual(user);
    expect(await t.db.users.findByWallet('So1anaWa11et111')).toEqual(user);
    expect(await t.db.users.findByWallet('so1anawa11et111')).toBeNull();
    expect(await t.db.users.getUser('no-such-user')).toBeNull();
    expect(await t.db.users.listUsers()).toEqual([user, admin]);
    expect(await t.db.users.countUsers()).toBe(2);
  });

  it('gives a wallet to one user only: WALLET_TAKEN, and nothing is written', async () => {
    const { t } = ctx();
    await t.db.users.createUser({ walletAddress: 'wallet-1' });
    await expectRejectsWith(t.db.users.createUser({ walletAddress: 'wallet-1', points: 5 }), 'WALLET_TAKEN');
    await t.db.users.createUser();
    await t.db.users.createUser();
    expect(await userRows(t)).toBe(3);
  });

  it('rejects bad input before writing: negative or fractional points, unknown roles, odd wallets', async () => {
    const { t } = ctx();
    const bad = [
      { points: -1 },
      { points: 1.5 },
      { points: 2_000_000_000 },
      { role: 'root' as 'admin' },
      { walletAddress: '' },
      { walletAddress: 'has space' },
      { walletAddress: 'x'.repeat(201) },
    ];
    for (const input of bad) await expectRejectsWith(t.db.users.createUser(input), 'VALIDATION_FAILED');
    expect(await userRows(t)).toBe(0);
  });

  it('adjusts points up and down, never below zero', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser({ points: 5 });
    expect((await t.db.users.adjustPoints(user.id, 10)).promptPoints).toBe(15);
    expect((await t.db.users.adjustPoints(user.id, -15)).promptPoints).toBe(0);
    await expectRejectsWith(t.db.users.adjustPoints(user.id, -1), 'INSUFFICIENT_POINTS');
    await expectRejectsWith(t.db.users.adjustPoints('no-such-user', 1), 'USER_NOT_FOUND');
    await expectRejectsWith(t.db.users.adjustPoints(user.id, 0.5), 'VALIDATION_FAILED');
    expect((await t.db.users.getUser(user.id))?.promptPoints).toBe(0);
  });

  it('reports usage for the user’s own jobs only', async () => {
    const { t, jobs } = ctx();
    const user = await t.db.users.createUser();
    await jobs.pending({ userId: user.id });
    await jobs.completed({ userId: user.id });
    await jobs.pending({ userId: 'someone-else' });
    expect(await t.db.users.usage(user.id)).toEqual({
      jobs: { pending: 1, running: 0, completed: 1, failed: 0, cancelled: 0, timeout: 0, waiting: 0 },
      totalJobs: 2,
      pointsCharged: 0,
    });
    expect((await t.db.users.usage('no-such-user')).totalJobs).toBe(0);
  });
});

describe('API keys', () => {
  const ctx = useConformanceDatabase();

  it('creates a key shown once, stores only its sha256, and authenticates it', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser({ walletAddress: 'w-1', points: 3 });
    const created = await t.db.users.createKey(user.id, 'laptop');
    expect(created.key).toMatch(KEY_FORMAT);
    expect(created.key.startsWith(`rq_${created.prefix}_`)).toBe(true);
    const row = await keyRow(t, created.id);
    expect(row.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(`rq_${created.prefix}_`.length));

    expect(await t.db.users.authenticate(created.key)).toEqual({ user, keyId: created.id });
    expect(await t.db.users.listKeys(user.id)).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, label: 'laptop', revokedAt: null }),
    ]);
    expect(Object.keys((await t.db.users.listKeys(user.id))[0]!)).not.toContain('key');
  });

  it('creates distinct keys, and none for a user that does not exist', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const [a, b] = [await t.db.users.createKey(user.id), await t.db.users.createKey(user.id)];
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).not.toBe(b.prefix);
    await expectRejectsWith(t.db.users.createKey('no-such-user'), 'USER_NOT_FOUND');
    expect(await t.db.users.listKeys(user.id)).toHaveLength(2);
  });

  it('answers null for a wrong key with a real prefix, and for an unknown prefix', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const { key, prefix } = await t.db.users.createKey(user.id);
    const secret = key.slice(`rq_${prefix}_`.length);
    const flipped = `rq_${prefix}_${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    expect(await t.db.users.authenticate(flipped)).toBeNull();
    expect(await t.db.users.authenticate(`rq_000000000000_${secret}`)).toBeNull();
    expect(await t.db.users.authenticate(key)).not.toBeNull();
  });

  it('answers null, never a database error, for malformed keys', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const { key } = await t.db.users.createKey(user.id);
    const malformed = [
      '',
      ' ',
      'Bearer',
      `Bearer ${key}`,
      `${key} `,
      key.slice(0, -1),
      `${key}x`,
      "rq_' OR 1=1 --",
      "rq_'OR'1'='1'--;DROP_TABLE_users",
      "'; DROP TABLE users; --xxxxxxxxxx",
      'rq_%_%',
      'x'.repeat(100_000),
      'ключ-ключ-ключ-ключ',
      'rq_\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000',
    ];
    for (const text of malformed) expect(await t.db.users.authenticate(text)).toBeNull();
    expect(await userRows(t)).toBe(1);
  });

  it('key revision: changes when any connection revokes a key or changes a user', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const { id: keyId } = await t.db.users.createKey(user.id);
    const changes = [
      {
        sqlite: 'UPDATE api_keys SET revoked_at = 1 WHERE id = ?',
        postgres: 'UPDATE api_keys SET revoked_at = now() WHERE id = ?',
      },
      {
        sqlite: "UPDATE users SET role = 'admin' WHERE id = ?",
        postgres: "UPDATE users SET role = 'admin' WHERE id = ?",
      },
      { sqlite: 'DELETE FROM users WHERE id = ?', postgres: 'DELETE FROM users WHERE id = ?' },
    ];
    const params = [[keyId], [user.id], [user.id]];
    // PostgreSQL knows a revision once its notification connection listens.
    const known = () => waitFor(() => t.db.users.keyRevision() ?? false, { what: 'a known revision' });
    for (const [i, change] of changes.entries()) {
      const before = await known();
      await t.sql(change, params[i]);
      await waitFor(() => t.db.users.keyRevision() !== before, {
        what: `the revision to change after ${change[t.dialect]}`,
      });
    }
    // What a key check does not read leaves it alone: points and a key's last use.
    const unchanged = t.db.users.keyRevision();
    const points = {
      sqlite: 'UPDATE users SET prompt_points = 5',
      postgres: 'UPDATE users SET prompt_points = 5',
    };
    await t.sql(points, []);
    expect(t.db.users.keyRevision()).toBe(unchanged);
    // This store's own revoke is seen at once, without waiting for the notification.
    const other = await t.db.users.createUser();
    const key = await t.db.users.createKey(other.id);
    const before = await known();
    await t.db.users.revokeKey(key.id);
    expect(t.db.users.keyRevision()).not.toBe(before);
  });

  it('key revision on SQLite: read once per turn of the event loop, a change elsewhere seen from the next turn', async () => {
    const { t } = ctx();
    if (t.dialect !== 'sqlite') return;
    const user = await t.db.users.createUser();
    const { id: keyId } = await t.db.users.createKey(user.id);
    await new Promise((resolve) => setImmediate(resolve));
    const read = t.db.users.keyRevision();
    // Another connection revokes in this same turn (the SQLite write is synchronous).
    await t.sql({ sqlite: 'UPDATE api_keys SET revoked_at = 1 WHERE id = ?', postgres: '' }, [keyId]);
    expect(t.db.users.keyRevision()).toBe(read);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.db.users.keyRevision()).not.toBe(read);
  });

  it('refuses a revoked key; revoking by id, prefix or whole key; revoking twice keeps the first time', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const byId = await t.db.users.createKey(user.id);
    const byPrefix = await t.db.users.createKey(user.id);
    const byKey = await t.db.users.createKey(user.id);
    const kept = await t.db.users.createKey(user.id);

    const revoked = await t.db.users.revokeKey(byId.id);
    expect(revoked).toMatchObject({ id: byId.id, userId: user.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await t.db.users.revokeKey(byPrefix.prefix)).id).toBe(byPrefix.id);
    expect((await t.db.users.revokeKey(byKey.key)).id).toBe(byKey.id);
    expect((await t.db.users.revokeKey(byId.id)).revokedAt).toEqual(revoked.revokedAt);

    for (const gone of [byId, byPrefix, byKey]) expect(await t.db.users.authenticate(gone.key)).toBeNull();
    expect(await t.db.users.authenticate(kept.key)).toMatchObject({ keyId: kept.id });
  });

  it('revokes only the owner’s key when an owner is given; unknown keys: KEY_NOT_FOUND', async () => {
    const { t } = ctx();
    const alice = await t.db.users.createUser();
    const bob = await t.db.users.createUser();
    const key = await t.db.users.createKey(alice.id);
    await expectRejectsWith(t.db.users.revokeKey(key.id, bob.id), 'KEY_NOT_FOUND');
    expect(await t.db.users.authenticate(key.key)).not.toBeNull();
    await expectRejectsWith(t.db.users.revokeKey('no-such-key'), 'KEY_NOT_FOUND');
    await t.db.users.revokeKey(key.id, alice.id);
    expect(await t.db.users.authenticate(key.key)).toBeNull();
  });

  it('records the last use at most once a minute', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const { id, key } = await t.db.users.createKey(user.id);
    expect(await lastUsedAt(t.db.users, user.id, id)).toBeNull();
    await t.db.users.authenticate(key);
    const first = await lastUsedAt(t.db.users, user.id, id);
    expect(first).toBeInstanceOf(Date);
    await t.db.users.authenticate(key);
    expect(await lastUsedAt(t.db.users, user.id, id)).toEqual(first);
    await backdateLastUse(t, id, 2);
    const backdated = await lastUsedAt(t.db.users, user.id, id);
    await t.db.users.authenticate(key);
    expect((await lastUsedAt(t.db.users, user.id, id))!.getTime()).toBeGreaterThan(backdated!.getTime());
  });

  it('deleting a user deletes its keys', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    const { key } = await t.db.users.createKey(user.id);
    await t.sql({ sqlite: 'DELETE FROM users WHERE id = ?', postgres: 'DELETE FROM users WHERE id = ?' }, [
      user.id,
    ]);
    expect(await t.db.users.authenticate(key)).toBeNull();
    expect(await t.db.users.listKeys(user.id)).toEqual([]);
  });
});

describe('the admin key on first start', () => {
  const ctx = useConformanceDatabase();
  const dirs: string[] = [];
  const keyFileIn = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-admin-'));
    dirs.push(dir);
    return path.join(dir, 'data', 'admin-key');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates an admin and a key in a 0600 file when there are no users', async () => {
    const { t } = ctx();
    const keyFile = keyFileIn();
    const outcome = await ensureAdminKey({ users: t.db.users, keyFile });
    expect(outcome).toMatchObject({ created: true, keyFile });
    expect(outcome.key).toMatch(KEY_FORMAT);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(outcome.key);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(keyFile))).toEqual(['admin-key']);
    const auth = await t.db.users.authenticate(outcome.key!);
    expect(auth?.user.role).toBe('admin');
  });

  it('does nothing the second time, nor when users exist', async () => {
    const { t } = ctx();
    const keyFile = keyFileIn();
    const first = await ensureAdminKey({ users: t.db.users, keyFile });
    const second = await ensureAdminKey({ users: t.db.users, keyFile });
    expect(second).toEqual({ created: false });
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.key);
    expect(await t.db.users.countUsers()).toBe(1);

    const other = await t.reopen();
    const elsewhere = keyFileIn();
    expect(await ensureAdminKey({ users: other.users, keyFile: elsewhere })).toEqual({ created: false });
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('uses the configured key instead, writes no file, and the key authenticates as admin', async () => {
    const { t } = ctx();
    const keyFile = keyFileIn();
    const configuredKey = 'automation-admin-key-0123456789';
    expect(await ensureAdminKey({ users: t.db.users, configuredKey, keyFile })).toEqual({ created: true });
    expect(existsSync(keyFile)).toBe(false);
    const auth = await t.db.users.authenticate(configuredKey);
    expect(auth?.user.role).toBe('admin');
    const [key] = await t.db.users.listKeys(auth!.user.id);
    expect(key?.label).toBe('REELQUEUE_ADMIN_KEY');
    expect(await t.db.users.authenticate(`${configuredKey}x`)).toBeNull();
    expect(await ensureAdminKey({ users: t.db.users, configuredKey, keyFile })).toEqual({ created: false });
  });

  it('refuses a configured key that could never be presented', async () => {
    const { t } = ctx();
    await expectRejectsWith(
      ensureAdminKey({
        users: t.db.users,
        configuredKey: 'has spaces in the admin key',
        keyFile: keyFileIn(),
      }),
      'VALIDATION_FAILED',
    );
    expect(await t.db.users.countUsers()).toBe(0);
  });

  it('creates one admin when processes start together', async () => {
    const { t } = ctx();
    const handles = [t.db, await t.reopen(), await t.reopen(), await t.reopen()];
    const keyFile = keyFileIn();
    const outcomes = await Promise.all(handles.map((db) => ensureAdminKey({ users: db.users, keyFile })));
    const created = outcomes.filter((o) => o.created);
    expect(created).toHaveLength(1);
    expect(await t.db.users.countUsers()).toBe(1);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(created[0]?.key);
    expect(readdirSync(path.dirname(keyFile))).toEqual(['admin-key']);
    expect(await t.db.users.authenticate(created[0]!.key!)).not.toBeNull();
  });
});
