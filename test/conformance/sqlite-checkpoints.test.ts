/**
 * SQLite WAL checkpoints run on a thread of their own, not in the commit that fills the WAL: the
 * store's connections checkpoint only past INLINE_CHECKPOINT_PAGES, so below that only the thread
 * can have copied the WAL into the database file.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { INLINE_CHECKPOINT_PAGES } from '../../src/db/sqlite/checkpointer.js';
import { WAL_SIZE_LIMIT_BYTES } from '../../src/db/sqlite/connection.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { DIALECT } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

interface WalState {
  log: number;
  checkpointed: number;
}

describe.runIf(DIALECT === 'sqlite')('SQLite checkpoints', () => {
  const ctx = useConformanceDatabase();

  it('copies the WAL into the database file from a thread, below the commits’ own threshold', async () => {
    const { t, jobs } = ctx();
    await jobs.pendingMany(2_000, { payload: { padding: 'x'.repeat(500) } });
    // NOOP reports the WAL's frames and how many were copied, and copies none itself.
    const observer = new Database(t.config.databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      const walState = () => (observer.pragma('wal_checkpoint(NOOP)') as WalState[])[0];
      const written = walState();
      expect(written?.log).toBeGreaterThan(0);
      expect(written?.log).toBeLessThan(INLINE_CHECKPOINT_PAGES);
      const copied = await waitFor(
        () => {
          const state = walState();
          return state && state.checkpointed > 0 && state.checkpointed === state.log ? state : null;
        },
        { timeoutMs: 10_000, what: 'the checkpoint thread to copy the WAL' },
      );
      expect(copied.checkpointed).toBeGreaterThan(0);
    } finally {
      observer.close();
    }
  });

  it('cuts a WAL grown past its limit back to the limit once it was copied and starts over', async () => {
    const { t, jobs } = ctx();
    const file = t.config.databaseUrl.slice('sqlite:'.length);
    const spike = new Database(file);
    try {
      // One transaction larger than the limit, as a big batch would write.
      spike.exec('CREATE TABLE spike (data BLOB)');
      const insert = spike.prepare('INSERT INTO spike VALUES (randomblob(1048576))');
      const megabytes = WAL_SIZE_LIMIT_BYTES / 1048576 + 8;
      spike.transaction(() => {
        for (let i = 0; i < megabytes; i++) insert.run();
      })();
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
      await waitFor(
        () => {
          const [state] = spike.pragma('wal_checkpoint(NOOP)') as WalState[];
          return state !== undefined && state.checkpointed === state.log;
        },
        { timeoutMs: 20_000, what: 'the checkpoint thread to copy the spike' },
      );
    } finally {
      spike.close();
    }
    // The store's next write starts the WAL over, and cuts the file back.
    await jobs.pending();
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
  });
});
