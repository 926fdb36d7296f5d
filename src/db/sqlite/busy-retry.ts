/**
 * SQLite answers SQLITE_BUSY when another process holds the write lock past the (short) busy
 * timeout. Rather than block the event loop, retry asynchronously with jittered backoff.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ReelqueueError } from '../../errors.js';

/** SQLITE_BUSY and its kin: another connection holds a lock this statement needs. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

export async function withBusyRetry<T>(operation: () => T, maxWaitMs: number): Promise<T> {
  const started = Date.now();
  let backoffMs = 1;
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() - started > maxWaitMs) {
        throw new ReelqueueError(
          'DATABASE_BUSY',
          `The SQLite database stayed locked by another process for over ${maxWaitMs} ms`,
          undefined,
          { cause: error },
        );
      }
      await delay(backoffMs * (0.5 + Math.random()));
      backoffMs = Math.min(backoffMs * 2, 50);
    }
  }
}
