/**
 * Webhook secrets on both databases: Standard Webhooks spelling (`whsec_<base64>`), rotation with
 * an overlap window decided by the database clock, and the upgrade (migration 0020) that respells
 * existing secrets without changing their key.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMigrationFiles } from '../../src/db/migration-files.js';
import { legacySecretSpelling } from '../../src/webhooks/legacy-signature.js';
import {
  checkOverlapSeconds,
  MAX_OVERLAP_SECONDS,
  signingSecrets,
} from '../../src/webhooks/secret-rotation.js';
import { secretKey } from '../../src/webhooks/signature.js';
import {
  dbNow,
  expectCode,
  expectRejectsWith,
  rejectionOf,
  thrownBy,
  useConformanceDatabase,
} from '../support/conformance.js';
import { withPostgresClient, type TestDatabase } from '../support/test-database.js';

const STANDARD_SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

async function rotationColumns(t: TestDatabase, userId: string): Promise<Record<string, unknown>> {
  const [row] = await t.sql(
    {
      sqlite:
        'SELECT webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at FROM users WHERE id = ?',
      postgres:
        'SELECT webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at FROM users WHERE id = ?',
    },
    [userId],
  );
  if (!row) throw new Error(`no user ${userId}`);
  return row;
}

describe('webhook secrets', () => {
  const ctx = useConformanceDatabase();

  it('gives a new user a Standard Webhooks secret: whsec_ and 32 random bytes in base64', async () => {
    const { t } = ctx();
    const user = await t.db.users.createUser();
    expect(user.webhookSecret).toMatch(STANDARD_SECRET);
    expect(secretKey(user.webhookSecret)).toHaveLength(32);
    expect(user).toMatchObject({ previousWebhookSecret: null, previousWebhookSecretExpiresAt: null });
  });

  it('rotates: a new secret at once, the old one valid beside it for the overlap (database clock)', async () => {
    const { t } = ctx();
    const { users } = t.db;
    const user = await users.createUser();
    const before = await dbNow(t);
    const rotated = await users.rotateWebhookSecret(user.id, 3600);
    const after = await dbNow(t);
    expect(rotated.webhookSecret).toMatch(STANDARD_SECRET);
    expect(rotated.webhookSecret).not.toBe(user.webhookSecret);
    expect(rotated.previousWebhookSecret).toBe(user.webhookSecret);
    const expires = rotated.previousWebhookSecretExpiresAt?.getTime() ?? Number.NaN;
    expect(expires).toBeGreaterThanOrEqual(before.getTime() + 3_600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(after.getTime() + 3_600_000 + 1000);
    expect(await users.getUser(user.id)).toEqual(rotated);
    expect(signingSecrets(rotated, new Date())).toEqual([rotated.webhookSecret, user.webhookSecret]);
    // Every way of reading the user carries the rotation.
    expect(await users.listUsers()).toEqual([rotated]);
    expect(await users.adjustPoints(user.id, 1)).toMatchObject({
      webhookSecret: rotated.webhookSecret,
      previousWebhookSecret: user.webhookSecret,
    });
    const key = await users.createKey(user.id);
    expect((await users.authenticate(key.key))?.user).toMatchObject({
      webhookSecret: rotated.webhookSecret,
      previousWebhookSecret: user.webhookSecret,
      previousWebhookSecretExpiresAt: rotated.previousWebhookSecretExpiresAt,
    });
  });

  it('refuses a second rotation inside the window (a request sent twice), changing nothing', async () => {
    const { t } = ctx();
    const { users } = t.db;
    const user = await users.createUser();
    await users.rotateWebhookSecret(user.id, 3600);
    const stored = await rotationColumns(t, user.id);
    const error = await rejectionOf(users.rotateWebhookSecret(user.id, 60));
    expectCode(error, 'WEBHOOK_ROTATION_IN_PROGRESS');
    expect((error as Error).message).toMatch(/overlap_seconds 0/);
    expect(await rotationColumns(t, user.id)).toEqual(stored);
  });

  it('with an overlap of 0, retires every old secret at once, even inside a window', async () => {
    const { t } = ctx();
    const { users } = t.db;
    const user = await users.createUser();
    const first = await users.rotateWebhookSecret(user.id, 3600);
    const second = await users.rotateWebhookSecret(user.id, 0);
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect(second).toMatchObject({ previousWebhookSecret: null, previousWebhookSecretExpiresAt: null });
    expect(signingSecrets(second, new Date())).toEqual([second.webhookSecret]);
  });

  it('stops signing with the old secret once its window has passed, and allows the next rotation', async () => {
    const { t } = ctx();
    const { users } = t.db;
    const user = await users.createUser();
    const rotated = await users.rotateWebhookSecret(user.id, 3600);
    await t.sql(
      {
        sqlite:
          "UPDATE users SET previous_webhook_secret_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - 1000 WHERE id = ?",
        postgres:
          "UPDATE users SET previous_webhook_secret_expires_at = now() - interval '1 second' WHERE id = ?",
      },
      [user.id],
    );
    const lapsed = await users.getUser(user.id);
    if (!lapsed) throw new Error('no user');
    expect(signingSecrets(lapsed, new Date())).toEqual([rotated.webhookSecret]);
    const next = await users.rotateWebhookSecret(user.id, 60);
    expect(next.previousWebhookSecret).toBe(rotated.webhookSecret);
  });

  it('answers USER_NOT_FOUND for a user that does not exist', async () => {
    const { t } = ctx();
    await expectRejectsWith(t.db.users.rotateWebhookSecret('no-such-user', 60), 'USER_NOT_FOUND');
  });

  it('takes an overlap of 0 to a week, in whole seconds, and nothing else', () => {
    expect(checkOverlapSeconds()).toBe(86_400);
    expect(checkOverlapSeconds(0)).toBe(0);
    expect(checkOverlapSeconds(MAX_OVERLAP_SECONDS)).toBe(MAX_OVERLAP_SECONDS);
    for (const bad of [-1, MAX_OVERLAP_SECONDS + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCode(
        thrownBy(() => checkOverlapSeconds(bad)),
        'VALIDATION_FAILED',
      );
    }
  });
});

/** Two secrets as reelqueue made them before migration 0020, and one it did not make. */
const OLD_SECRETS = {
  plain: `whsec_${Buffer.alloc(32, 0x11).toString('base64url')}`,
  dashes: `whsec_${Buffer.alloc(32, 0xfb).fill(0x3e, 0, 1).toString('base64url')}`,
  foreign: 'whsec_not.base64!',
};

async function usersBefore0020(
  t: TestDatabase,
): Promise<{ settings: Record<string, string>; drop: () => Promise<void> }> {
  const insert = (['plain', 'dashes', 'foreign'] as const).map((id) => [id, OLD_SECRETS[id]]);
  if (t.dialect === 'sqlite') {
    const file = path.join(path.dirname(t.env.DATABASE_URL?.slice('sqlite:'.length) ?? ''), 'before-0020.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
    for (const migration of readMigrationFiles(new URL('../../src/db/sqlite/migrations/', import.meta.url))) {
      if (migration.version >= 20) continue;
      old.exec(migration.sql);
      old
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, 0)')
        .run(migration.version, migration.name, migration.checksum);
    }
    const add = old.prepare('INSERT INTO users (id, webhook_secret, created_at) VALUES (?, ?, 0)');
    for (const [id, secret] of insert) add.run(id, secret);
    old.close();
    return { settings: { DATABASE_URL: `sqlite:${file}` }, drop: async () => undefined };
  }
  const schema = `rq_before20_${randomBytes(6).toString('hex')}`;
  await withPostgresClient(schema, async (old) => {
    await old.query(`CREATE SCHEMA ${schema}`);
    await old.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
      checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const migration of readMigrationFiles(
      new URL('../../src/db/postgres/migrations/', import.meta.url),
    )) {
      if (migration.version >= 20) continue;
      await old.query(migration.sql);
      await old.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    for (const [id, secret] of insert) {
      await old.query('INSERT INTO users (id, webhook_secret) VALUES ($1, $2)', [id, secret]);
    }
  });
  return {
    settings: { DATABASE_SCHEMA: schema },
    drop: async () => {
      await t.sql({ sqlite: 'SELECT 1', postgres: `DROP SCHEMA IF EXISTS ${schema} CASCADE` });
    },
  };
}

describe('upgrade to Standard Webhooks secrets (migration 0020)', () => {
  const ctx = useConformanceDatabase();

  it('respells the secrets reelqueue made in standard base64, keeping each key; leaves others alone', async () => {
    const { t } = ctx();
    const before = await usersBefore0020(t);
    const upgraded = await t.reopen(before.settings);
    try {
      const report = await upgraded.migrate();
      expect(report.applied.map((m) => m.version)).toContain(20);
      const byId = async (id: string) => {
        const user = await upgraded.users.getUser(id);
        if (!user) throw new Error(`no user ${id}`);
        return user;
      };
      for (const id of ['plain', 'dashes'] as const) {
        const user = await byId(id);
        expect(user.webhookSecret, id).toMatch(STANDARD_SECRET);
        expect(secretKey(user.webhookSecret)).toEqual(secretKey(OLD_SECRETS[id]));
        // Receivers of the legacy header keep verifying with the secret they hold.
        expect(legacySecretSpelling(user.webhookSecret)).toBe(OLD_SECRETS[id]);
        expect(user).toMatchObject({ previousWebhookSecret: null, previousWebhookSecretExpiresAt: null });
      }
      expect((await byId('dashes')).webhookSecret).toContain('+');
      expect((await byId('foreign')).webhookSecret).toBe(OLD_SECRETS.foreign);
    } finally {
      await upgraded.close();
      await before.drop();
    }
  });
});
