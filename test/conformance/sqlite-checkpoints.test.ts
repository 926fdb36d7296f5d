/**
 * SQLite WAL checkpoints run on a thread of their own, not in the commit that fills the WAL: the
 * store's connections checkpoint only past INLINE_CHECKPOINT_PAGES, so below that only the thread
 * can have copied the WAL into the database file.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { INLINE_CHECKPOINT_PAGES } from '../../src/db/sqlite/checkpointer.js';
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
});
