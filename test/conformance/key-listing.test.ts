/** Every user's keys listed for an admin, and a user revoking only their own, on both databases. */
import { describe, expect, it } from 'vitest';
import { expectRejectsWith, useConformanceDatabase } from '../support/conformance.js';

describe('listing and revoking keys', () => {
  const ctx = useConformanceDatabase();

  it("lists every user's keys with the owner's role and wallet, never the key, revoked ones only when asked", async () => {
    const { t } = ctx();
    const { users } = t.db;
    const alice = await users.createUser({ walletAddress: 'AliceWallet1111' });
    const root = await users.createUser({ role: 'admin' });
    const aliceKey = await users.createKey(alice.id, 'laptop');
    const rootKey = await users.createKey(root.id);
    const oldKey = await users.createKey(alice.id, 'old');
    await users.revokeKey(oldKey.id);

    const active = await users.listAllKeys({ includeRevoked: false });
    expect(active.map((key) => key.id)).toEqual([aliceKey.id, rootKey.id]);
    expect(active[0]).toMatchObject({
      userId: alice.id,
      prefix: aliceKey.prefix,
      label: 'laptop',
      ownerRole: 'user',
      ownerWalletAddress: 'AliceWallet1111',
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(active[0]?.createdAt).toBeInstanceOf(Date);
    expect(active[1]).toMatchObject({ userId: root.id, ownerRole: 'admin', ownerWalletAddress: null });
    expect(JSON.stringify(active)).not.toContain(aliceKey.key.slice(-20));

    const all = await users.listAllKeys({ includeRevoked: true });
    expect(all.map((key) => key.id)).toEqual([aliceKey.id, rootKey.id, oldKey.id]);
    expect(all[2]?.revokedAt).toBeInstanceOf(Date);
  });

  it("a user revoking another user's key is told it does not exist, and the key keeps working", async () => {
    const { t } = ctx();
    const { users } = t.db;
    const alice = await users.createUser();
    const bob = await users.createUser();
    const bobsKey = await users.createKey(bob.id);
    await expectRejectsWith(users.revokeKey(bobsKey.prefix, alice.id), 'KEY_NOT_FOUND');
    await expectRejectsWith(users.revokeKey(bobsKey.id, alice.id), 'KEY_NOT_FOUND');
    expect((await users.authenticate(bobsKey.key))?.user.id).toBe(bob.id);
    expect((await users.revokeKey(bobsKey.prefix, bob.id)).revokedAt).toBeInstanceOf(Date);
    expect(await users.authenticate(bobsKey.key)).toBeNull();
  });
});
