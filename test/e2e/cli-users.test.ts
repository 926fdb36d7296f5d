/** `reelqueue users …` and `reelqueue keys …`, run from the build against a real database. */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedKey, User } from '../../src/users/model.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { assertBuilt, CLI } from '../support/worker-process.js';

// Each command is a process of its own (about half a second): give the tests room.
describe('reelqueue users and keys', { timeout: 60_000 }, () => {
  let t: TestDatabase;

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase();
  });
  afterEach(() => t.cleanup());

  /** Runs the CLI with the database given by --database-url, not by the environment. */
  const run = (...args: string[]) => {
    const { DATABASE_URL: url, ...rest } = t.env;
    const env: NodeJS.ProcessEnv = { ...process.env, ...rest, LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, [CLI, ...args, '--database-url', url ?? ''], {
      env,
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const json = <T>(...args: string[]): T => {
    const result = run(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  it('creates users with a first key that authenticates, and lists them without secrets', async () => {
    const alice = json<{ user: User; key: CreatedKey }>(
      'users',
      'create',
      '--wallet',
      'AliceWallet1111',
      '--points',
      '50',
    );
    expect(alice.user).toMatchObject({ walletAddress: 'AliceWallet1111', promptPoints: 50, role: 'user' });
    expect(alice.user.webhookSecret).toMatch(/^whsec_/);
    expect(alice.key.key).toMatch(/^rq_[0-9a-f]{12}_/);
    const admin = json<{ user: User; key: CreatedKey }>('users', 'create', '--admin');
    expect(admin.user.role).toBe('admin');

    expect((await t.db.users.authenticate(alice.key.key))?.user.id).toBe(alice.user.id);
    expect((await t.db.users.authenticate(admin.key.key))?.user.role).toBe('admin');

    const listed = json<{ users: Record<string, unknown>[] }>('users', 'list');
    expect(listed.users.map((u) => u.id)).toEqual([alice.user.id, admin.user.id]);
    expect(JSON.stringify(listed)).not.toContain('webhook');

    const text = run('users', 'list');
    expect(text.code).toBe(0);
    const [header, ...rows] = text.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +ROLE +POINTS +WALLET$/);
    expect(rows).toHaveLength(2);
    const wallet = header?.indexOf('WALLET') ?? -1;
    expect(rows[0]?.slice(wallet)).toBe('AliceWallet1111');
    expect(rows[1]?.slice(wallet)).toBe('-');
    expect(rows[1]?.slice(header?.indexOf('ROLE') ?? -1).startsWith('admin ')).toBe(true);
  });

  it('creates keys by user id or wallet, and revokes them by prefix, id or whole key', async () => {
    const { user, key: first } = json<{ user: User; key: CreatedKey }>(
      'users',
      'create',
      '--wallet',
      'BobWallet',
    );
    const byId = json<CreatedKey & { userId: string }>('keys', 'create', '--user', user.id, '--label', 'ci');
    const byWallet = json<CreatedKey>('keys', 'create', '--user', 'BobWallet');
    expect(byId.userId).toBe(user.id);
    expect((await t.db.users.authenticate(byId.key))?.keyId).toBe(byId.id);
    expect((await t.db.users.authenticate(byWallet.key))?.keyId).toBe(byWallet.id);

    const revoked = json<{ id: string; revokedAt: string }>('keys', 'revoke', byId.prefix);
    expect(revoked.id).toBe(byId.id);
    expect(revoked.revokedAt).toBeTruthy();
    expect(await t.db.users.authenticate(byId.key)).toBeNull();
    expect(json<{ id: string }>('keys', 'revoke', byWallet.key).id).toBe(byWallet.id);
    expect(await t.db.users.authenticate(byWallet.key)).toBeNull();

    const keys = json<{ keys: { id: string; revokedAt: string | null; label: string | null }[] }>(
      'keys',
      'list',
      '--user',
      user.id,
    );
    expect(keys.keys.map((k) => [k.id, k.label, k.revokedAt !== null])).toEqual([
      [first.id, null, false],
      [byId.id, 'ci', true],
      [byWallet.id, null, true],
    ]);
    const [header, ...rows] = run('keys', 'list', '--user', user.id).stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +PREFIX +STATE +LAST USED +LABEL$/);
    const label = header?.indexOf('LABEL') ?? -1;
    const lastUsed = header?.indexOf('LAST USED') ?? -1;
    expect(rows.map((row) => row.slice(header?.indexOf('STATE') ?? -1, lastUsed).trim())).toEqual([
      'active',
      'revoked',
      'revoked',
    ]);
    for (const row of rows) expect(row.slice(lastUsed)).toMatch(/^(never|\d{4}-\d\d-\d\dT\S+Z)( |$)/);
    expect(rows[1]?.slice(label)).toBe('ci');
  });

  it('adds and takes points, never below zero', () => {
    json('users', 'create', '--wallet', 'CarolWallet', '--points', '5');
    expect(json<User>('users', 'points', 'CarolWallet', '10').promptPoints).toBe(15);
    expect(json<User>('users', 'points', 'CarolWallet', '-15').promptPoints).toBe(0);
    const short = run('users', 'points', 'CarolWallet', '-1');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('INSUFFICIENT_POINTS');
  });

  it('creates a service key with --service, never both --admin and --service', async () => {
    const service = json<{ user: User; key: CreatedKey }>(
      'users',
      'create',
      '--service',
      '--label',
      'backend',
    );
    expect(service.user.role).toBe('service');
    expect((await t.db.users.authenticate(service.key.key))?.user.role).toBe('service');
    const both = run('users', 'create', '--admin', '--service');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('VALIDATION_FAILED');
    expect(await t.db.users.countUsers()).toBe(1);
  });

  it('reports failures with their codes and a non-zero exit', () => {
    json('users', 'create', '--wallet', 'TakenWallet');
    const taken = run('users', 'create', '--wallet', 'TakenWallet');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('WALLET_TAKEN');
    const missing = run('keys', 'create', '--user', 'no-such-user');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('USER_NOT_FOUND');
    const unknown = run('keys', 'revoke', 'no-such-key');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('KEY_NOT_FOUND');
    const badPoints = run('users', 'create', '--points', '-3');
    expect(badPoints.code).not.toBe(0);
  });
});
