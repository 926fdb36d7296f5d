/**
 * Start-up against a database that refuses or cannot be reached (an outage: `too many clients`, a
 * restart, a failover): try again after a jittered, growing pause, saying so in the log each time,
 * for as long as it lasts. A process that exited instead would be restarted by its supervisor into
 * the same refusal: a crash loop that, across a fleet, keeps the connection slots taken.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { OutageBackoff } from './outage-backoff.js';
import { outageCode } from './outage.js';

/** The first pause and the longest one, in milliseconds. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 15_000;

/** Runs `attempt` until it succeeds; an error that is not an outage is thrown at once. */
export async function whenDatabaseAnswers<T>(
  attempt: () => Promise<T>,
  logger: Logger,
  what: string,
): Promise<T> {
  const backoff = new OutageBackoff(Number.POSITIVE_INFINITY, FIRST_DELAY_MS, MAX_DELAY_MS);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const delayMs = backoff.next(error);
      if (delayMs === null) throw error;
      logger.warn(
        { err: error, reason: outageCode(error), retryInMs: Math.round(delayMs) },
        `the database refuses or cannot be reached; ${what} again after a pause`,
      );
      await delay(delayMs);
    }
  }
}
