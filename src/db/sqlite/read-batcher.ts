/**
 * Runs the reads asked for in one turn of the event loop back to back, at the next turn's check
 * phase (`setImmediate`), inside one read transaction.
 *
 * Why: a SQLite read is synchronous, so a read run as soon as a request asks for it runs between
 * that request's HTTP work and the next one's, with SQLite's code and pages cold in the CPU caches,
 * and takes and releases the WAL read lock (two `fcntl` calls and an `fstat`) for itself. Reads run
 * together share a warm cache and one lock. Under 50 connections of status reads that nearly
 * doubled requests/s (docs/benchmarks.md); an idle read waits one loop turn longer.
 *
 * The transaction holds one snapshot for the batch: every read in it sees the database as of the
 * batch's start, which is no older than when it was asked for. A read that meets SQLITE_BUSY (a
 * read lock is refused only during WAL recovery) is retried alone with `withBusyRetry`.
 */
import type { Database, Statement } from 'better-sqlite3';
import { isBusy, withBusyRetry } from './busy-retry.js';

interface PendingRead {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class ReadBatcher {
  #pending: PendingRead[] = [];
  readonly #begin: Statement;
  readonly #commit: Statement;
  readonly #rollback: Statement;

  constructor(
    private readonly db: Database,
    private readonly busyRetryMs: number,
  ) {
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  read<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    // Alone, or with a transaction already open on this connection: nothing to share.
    const shared = batch.length > 1 && !this.db.inTransaction && this.#tryRun(this.#begin);
    const busy: PendingRead[] = [];
    for (const read of batch) {
      try {
        read.resolve(read.work());
      } catch (error) {
        if (isBusy(error)) busy.push(read);
        else read.reject(error);
      }
    }
    // A read-only transaction has nothing to lose: if COMMIT fails, ROLLBACK ends it as well.
    if (shared && this.db.inTransaction && !this.#tryRun(this.#commit)) this.#tryRun(this.#rollback);
    for (const read of busy) withBusyRetry(read.work, this.busyRetryMs).then(read.resolve, read.reject);
  }

  /** Runs BEGIN, COMMIT or ROLLBACK; false when SQLite refused it (this runs outside any caller). */
  #tryRun(statement: Statement): boolean {
    try {
      statement.run();
      return true;
    } catch {
      return false;
    }
  }
}
