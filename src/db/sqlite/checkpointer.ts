/**
 * WAL checkpoints on a thread of their own. SQLite checkpoints in whichever connection's commit
 * pushes the WAL past `wal_autocheckpoint` pages: that commit then copies the pages into the
 * database file and syncs it, several milliseconds on the event loop (the few slow claims behind a
 * pickup p99 of 4 ms, about a tenth of a no-op worker's time). Here a worker thread, with a
 * connection of its own, runs a PASSIVE checkpoint every `intervalMs` (one that has nothing new to
 * copy costs a lock and no sync), and the process's own connections checkpoint only past
 * `INLINE_CHECKPOINT_PAGES`: the backstop should the thread fall behind or stop.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './connection.js';

/** Past this many WAL pages (about 40 MB) a commit checkpoints itself after all. */
export const INLINE_CHECKPOINT_PAGES = 10_000;

const THREAD = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or gone: the next turn, or the connections' own backstop, does it.
  }
};
setInterval(checkpoint, workerData.intervalMs);
`;

export class Checkpointer {
  readonly #thread: Worker;

  private constructor(thread: Worker) {
    this.#thread = thread;
    // A failed thread leaves checkpoints to the connections' backstop; it never ends the process.
    thread.on('error', () => undefined);
    thread.unref();
  }

  /** Starts the thread for `filename`, and moves `db`'s own checkpoints to the backstop. */
  static start(db: SqliteDatabase, filename: string, intervalMs: number): Checkpointer {
    db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    return new Checkpointer(new Worker(THREAD, { eval: true, workerData: { filename, driver, intervalMs } }));
  }

  /**
   * Ends the thread. Its connection closes as the thread ends (better-sqlite3 closes a thread's
   * connections then); a checkpoint under way finishes first, and SQLite's own close of the last
   * connection checkpoints what is left.
   */
  async stop(): Promise<void> {
    await this.#thread.terminate();
  }
}
