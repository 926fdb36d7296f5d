/**
 * reelqueue reads bigint as a number and timestamptz by its own parser on its pool only: a
 * connection an embedding application opens in the same process keeps the driver's parsers.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, withPostgresClient } from '../support/test-database.js';

describe.runIf(DIALECT === 'postgres')("the pg driver's parsers", () => {
  const ctx = useConformanceDatabase();

  it('stay as the driver sets them for connections reelqueue did not open', async () => {
    const { store, jobs } = ctx();
    await jobs.pendingMany(3);
    // Through reelqueue's pool: counts (bigint) are numbers.
    expect((await store.health(ALL_JOBS)).pending).toBe(3);
    await withPostgresClient(null, async (client) => {
      const { rows } = await client.query<{ n: unknown; t: unknown }>(
        `SELECT 3::bigint AS n, timestamptz '2026-12-04 23:31:57.5+00' AS t`,
      );
      expect(rows[0]?.n).toBe('3');
      expect(rows[0]?.t).toEqual(new Date('2026-12-04T23:31:57.500Z'));
      expect(pg.types.getTypeParser(pg.types.builtins.INT8, 'text')('3')).toBe('3');
    });
  });
});
