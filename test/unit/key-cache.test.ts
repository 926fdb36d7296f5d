/**
 * The key cache in front of a real SQLite store's lookups, with a fake clock and a revision the test
 * controls in place of the store's own: an answer is reused only while the revision is unchanged and
 * the entry is young, wrong keys are never remembered, the oldest entry makes room, and callers that
 * miss together share one lookup.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeAuthenticator } from '../../src/api/start.js';
import { CachingAuthenticator } from '../../src/api/key-cache.js';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('CachingAuthenticator', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let clock: number;
  let revision: number | null;

  beforeEach(async () => {
    t = await createTestDatabase();
    app = await createReelqueue(t.config, { logger: silentLogger() });
    clock = 1_000_000;
    revision = 7;
  });

  afterEach(async () => {
    await app.close();
    await t.cleanup();
  });

  const cacheOf = (ttlMs: number, maxEntries = 100) =>
    new CachingAuthenticator(storeAuthenticator(app.database.users), () => revision, {
      ttlMs,
      maxEntries,
      now: () => clock,
    });
  /** Revokes behind the cache's back: the revision does not change. */
  const revokeQuietly = (keyId: string) =>
    t.sql(
      {
        sqlite: "UPDATE api_keys SET revoked_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE id = ?",
        postgres: '',
      },
      [keyId],
    );
  const newKey = async () => {
    const user = await app.database.users.createUser();
    return { user, ...(await app.database.users.createKey(user.id)) };
  };

  it('reuses an answer while the revision is unchanged and the entry is younger than the ttl', async () => {
    const cache = cacheOf(30_000);
    const { user, key, id } = await newKey();
    expect(await cache.authenticate(key)).toMatchObject({ userId: user.id, keyId: id, role: 'user' });
    await revokeQuietly(id);
    clock += 29_999;
    expect(await cache.authenticate(key)).toMatchObject({ userId: user.id });
    clock += 1;
    expect(await cache.authenticate(key)).toBeNull();
  });

  it('looks the key up again once the revision changes', async () => {
    const cache = cacheOf(30_000);
    const { key, id } = await newKey();
    expect(await cache.authenticate(key)).not.toBeNull();
    await revokeQuietly(id);
    revision = 8;
    expect(await cache.authenticate(key)).toBeNull();
  });

  it('remembers nothing without a revision or with a ttl of 0', async () => {
    for (const [ttlMs, current] of [
      [30_000, null],
      [0, 7],
    ] as const) {
      revision = current;
      const cache = cacheOf(ttlMs);
      const { key, id } = await newKey();
      expect(await cache.authenticate(key)).not.toBeNull();
      await revokeQuietly(id);
      expect(await cache.authenticate(key)).toBeNull();
    }
  });

  it('never remembers a wrong key: a key that becomes valid is accepted', async () => {
    const cache = cacheOf(30_000);
    const { key, id } = await newKey();
    await revokeQuietly(id);
    expect(await cache.authenticate(key)).toBeNull();
    await t.sql({ sqlite: 'UPDATE api_keys SET revoked_at = NULL WHERE id = ?', postgres: '' }, [id]);
    expect(await cache.authenticate(key)).not.toBeNull();
  });

  it('drops the oldest entry when full', async () => {
    const cache = cacheOf(30_000, 2);
    const keys = [await newKey(), await newKey(), await newKey()];
    for (const { key } of keys) expect(await cache.authenticate(key)).not.toBeNull();
    for (const { id } of keys) await revokeQuietly(id);
    expect(await cache.authenticate(keys[0]!.key)).toBeNull();
    expect(await cache.authenticate(keys[2]!.key)).not.toBeNull();
  });

  it('lets callers that miss together share one lookup, and starts another once the revision moves', async () => {
    const { key, user } = await newKey();
    const store = storeAuthenticator(app.database.users);
    let lookups = 0;
    const cache = new CachingAuthenticator(
      { authenticate: (plain) => (lookups++, store.authenticate(plain)) },
      () => revision,
      { ttlMs: 30_000, maxEntries: 100, now: () => clock },
    );
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.authenticate(key)));
    expect(answers.map((caller) => caller?.userId)).toEqual(Array(20).fill(user.id));
    expect(lookups).toBe(1);

    // Asked while a lookup under the old revision is still under way: a lookup of its own.
    const before = cache.authenticate(key);
    expect(before).not.toBeInstanceOf(Promise);
    revision = 8;
    const first = cache.authenticate(key);
    revision = 9;
    const second = cache.authenticate(key);
    const third = cache.authenticate(key);
    expect(await Promise.all([first, second, third])).toEqual([answers[0], answers[0], answers[0]]);
    expect(lookups).toBe(3);
  });
});
