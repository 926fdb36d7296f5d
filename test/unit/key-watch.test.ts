/**
 * The key watcher of open event streams, in front of a real SQLite store's key lookups (counted):
 * one check per distinct key per tick however many streams use it; a revoked key ends exactly its
 * own streams, once each, with UNAUTHORIZED; a caller who may no longer see the job gets FORBIDDEN.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeAuthenticator } from '../../src/api/start.js';
import { KeyWatcher, type KeyLoss } from '../../src/api/key-watch.js';
import type { Authenticator } from '../../src/api/caller.js';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

describe('KeyWatcher', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let watcher: KeyWatcher | null = null;

  beforeEach(async () => {
    t = await createTestDatabase();
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    watcher?.close();
    await app.close();
    await t.cleanup();
  });

  const newKey = async (role: 'user' | 'admin' = 'user') => {
    const user = await app.database.users.createUser({ role });
    return { user, ...(await app.database.users.createKey(user.id)) };
  };

  it('checks each key once a tick for all its streams, and ends only the streams of a revoked key', async () => {
    const store = storeAuthenticator(app.database.users);
    const lookups = new Map<string, number>();
    const counting: Authenticator = {
      authenticate: (key) => {
        lookups.set(key, (lookups.get(key) ?? 0) + 1);
        return store.authenticate(key);
      },
    };
    watcher = new KeyWatcher(counting, silentLogger(), 10);
    const [a, b] = [await newKey(), await newKey()];
    const losses: { key: string; loss: KeyLoss }[] = [];
    const watchWith = (key: string) =>
      watcher?.watch(
        key,
        () => true,
        (loss) => losses.push({ key, loss }),
      );
    for (let i = 0; i < 5; i++) watchWith(a.key);
    for (let i = 0; i < 2; i++) watchWith(b.key);

    await waitFor(() => (lookups.get(b.key) ?? 0) >= 3, { what: 'three ticks' });
    // Seven streams, two keys: each key is looked up once a tick.
    expect(Math.abs((lookups.get(a.key) ?? 0) - (lookups.get(b.key) ?? 0))).toBeLessThanOrEqual(1);

    await app.database.users.revokeKey(a.id);
    await waitFor(() => losses.length >= 5, { what: 'the revoked key’s streams to end' });
    const seen = lookups.get(b.key) ?? 0;
    await waitFor(() => (lookups.get(b.key) ?? 0) >= seen + 3, { what: 'three more ticks' });
    expect(losses).toEqual(
      Array.from({ length: 5 }, () => ({
        key: a.key,
        loss: { code: 'UNAUTHORIZED', message: 'This API key was revoked' },
      })),
    );
  });

  it('ends a stream whose caller may no longer see the job with FORBIDDEN, and stops when asked', async () => {
    const store = storeAuthenticator(app.database.users);
    let ticks = 0;
    const other = await newKey();
    const counting: Authenticator = {
      authenticate: (key) => {
        if (key === other.key) ticks++;
        return store.authenticate(key);
      },
    };
    watcher = new KeyWatcher(counting, silentLogger(), 10);
    const { key, user } = await newKey();
    const losses: KeyLoss[] = [];
    let allowed = true;
    const stopKept = watcher.watch(
      key,
      () => true,
      (loss) => losses.push(loss),
    );
    watcher.watch(
      key,
      (caller) => allowed && caller.userId === user.id,
      (loss) => losses.push(loss),
    );
    watcher.watch(
      other.key,
      () => true,
      (loss) => losses.push(loss),
    );
    allowed = false;
    await waitFor(() => losses.length > 0, { what: 'the stream to end' });
    expect(losses).toEqual([{ code: 'FORBIDDEN', message: 'This API key may no longer see this job' }]);

    // A stopped watch hears nothing: ticks after the revoke end no stream of that key.
    stopKept();
    await app.database.users.revokeKey(key);
    const before = ticks;
    await waitFor(() => ticks >= before + 2, { what: 'two ticks after the revoke' });
    expect(losses).toHaveLength(1);
  });
});
