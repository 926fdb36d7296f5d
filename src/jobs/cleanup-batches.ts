/**
 * How many jobs a cleanup deletes in its next transaction: each batch should hold the write lock
 * (SQLite) or its rows' locks (PostgreSQL) for about `TARGET_MS`, so a claim waits at most about that
 * long behind it, whatever the machine's load or the jobs' artifacts. Starts at CLEANUP_BATCH, halves
 * after a slow batch, doubles after a fast one, within [MIN, MAX].
 */
import { CLEANUP_BATCH } from './cleanup-filter.js';

export const CLEANUP_BATCH_TARGET_MS = 20;
const MIN_BATCH = 100;
const MAX_BATCH = 5_000;

export class CleanupBatchSize {
  #size = CLEANUP_BATCH;

  get size(): number {
    return this.#size;
  }

  /** Records how long the last batch (of `size` jobs) took. */
  took(elapsedMs: number): void {
    if (elapsedMs > CLEANUP_BATCH_TARGET_MS * 1.5)
      this.#size = Math.max(MIN_BATCH, Math.floor(this.#size / 2));
    else if (elapsedMs < CLEANUP_BATCH_TARGET_MS / 2) this.#size = Math.min(MAX_BATCH, this.#size * 2);
  }
}
