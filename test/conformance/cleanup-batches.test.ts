/**
 * A cleanup of more jobs than one batch (CLEANUP_BATCH) deletes them in several short transactions:
 * exactly the old finished ones, whatever batch they fall in, and nothing else; the statistics
 * rollups still equal a recount afterwards. SQLite: a database made since migration 0031 has
 * auto_vacuum=INCREMENTAL, and the cleanup gives the freed pages back (the file shrinks).
 */
import { describe, expect, it } from 'vitest';
import { CLEANUP_BATCH } from '../../src/jobs/cleanup-filter.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { countRows, rollupTables } from '../support/db-fixtures.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { DIALECT, type TestDatabase } from '../support/test-database.js';

/** Sets `ids` to `status`, finished `hours` ago (created an hour before that). */
async function finish(t: TestDatabase, ids: readonly string[], status: string, hours: number): Promise<void> {
  await t.sql(
    {
      sqlite: `UPDATE jobs SET status = ?, completed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? * 3600000,
                 created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - (? + 1) * 3600000
               WHERE id IN (SELECT value FROM json_each(?))`,
      postgres: `UPDATE jobs SET status = ?, completed_at = now() - (? * interval '1 hour'),
                   created_at = now() - ((? + 1) * interval '1 hour')
                 WHERE id::text IN (SELECT json_array_elements_text(?::json))`,
    },
    [status, hours, hours, JSON.stringify(ids)],
  );
}

async function foldAll(store: JobStore): Promise<void> {
  while ((await store.foldRollups()) > 0);
}

async function remainingIds(t: TestDatabase): Promise<string[]> {
  const rows = await t.sql<{ id: string }>({
    sqlite: 'SELECT id FROM jobs ORDER BY id',
    postgres: 'SELECT id::text AS id FROM jobs ORDER BY id',
  });
  return rows.map((row) => row.id);
}

describe('cleanup in batches', () => {
  const ctx = useConformanceDatabase();

  it('deletes exactly the old finished jobs over several batches, keeps the rest, and the rollups equal a recount', async () => {
    const { t, store, jobs } = ctx();
    const made = (await jobs.pendingMany(2 * CLEANUP_BATCH + 900)).map((job) => job.id);
    const oldCompleted = made.slice(0, 2 * CLEANUP_BATCH);
    const oldFailed = made.slice(2 * CLEANUP_BATCH, 2 * CLEANUP_BATCH + 300);
    const recent = made.slice(2 * CLEANUP_BATCH + 300, 2 * CLEANUP_BATCH + 600);
    const stillPending = made.slice(2 * CLEANUP_BATCH + 600);
    await finish(t, oldCompleted, 'completed', 30);
    await finish(t, oldFailed, 'failed', 48);
    await finish(t, recent, 'completed', 2);
    const running = (await jobs.running()).job.id;
    const kept = [...recent, ...stillPending, running].sort();

    expect(await store.cleanup(24, ALL_JOBS)).toBe(oldCompleted.length + oldFailed.length);

    expect(await remainingIds(t)).toEqual(kept);
    expect(await store.cleanup(24, ALL_JOBS)).toBe(0);
    await foldAll(store);
    const folded = await rollupTables(t);
    expect(folded.length).toBeGreaterThan(0);
    await store.rebuildRollups();
    await foldAll(store);
    expect(await rollupTables(t)).toEqual(folded);
    expect(await countRows(t, 'jobs')).toBe(kept.length);
  });

  it.runIf(DIALECT === 'sqlite')(
    'SQLite: a new database gives the pages a cleanup freed back to the file system',
    async () => {
      const { t, store, jobs } = ctx();
      const [mode] = await t.sql<{ auto_vacuum: number }>({ sqlite: 'PRAGMA auto_vacuum', postgres: '' });
      expect(mode?.auto_vacuum).toBe(2);
      const made = (await jobs.pendingMany(3 * CLEANUP_BATCH)).map((job) => job.id);
      await finish(t, made, 'completed', 30);
      const pages = async () => {
        const [row] = await t.sql<{ page_count: number }>({ sqlite: 'PRAGMA page_count', postgres: '' });
        return Number(row?.page_count);
      };
      const before = await pages();

      expect(await store.cleanup(24, ALL_JOBS)).toBe(made.length);

      const [free] = await t.sql<{ freelist_count: number }>({
        sqlite: 'PRAGMA freelist_count',
        postgres: '',
      });
      expect(free?.freelist_count).toBe(0);
      expect(await pages()).toBeLessThan(before / 2);
    },
  );
});
