/** The deployment id (migration 0018): one per database, the same for every process on it. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('deployment identity', () => {
  const made: TestDatabase[] = [];
  afterEach(async () => {
    for (const t of made.splice(0)) await t.cleanup();
  });

  it('is the same for every handle on one database and differs for another database', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    made.push(first, second);
    const id = await first.db.deploymentId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const again = await first.reopen();
    await again.migrate();
    expect(await again.deploymentId()).toBe(id);
    expect(await second.db.deploymentId()).not.toBe(id);
  });
});
