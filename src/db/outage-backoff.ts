/**
 * Riding out a database outage: how long to wait before trying again after an error, for as long as
 * the outage has lasted less than a tolerance. Errors that are not outages (outage.ts) are not
 * retried.
 */
import { isDatabaseUnavailable } from './outage.js';

export class OutageBackoff {
  #since: number | null = null;
  #failures = 0;

  constructor(
    /** How long an outage is ridden out before giving up. */
    private readonly toleranceMs: number,
    /** The first wait; each failure doubles it, up to `maxDelayMs`. */
    private readonly firstDelayMs = 100,
    private readonly maxDelayMs = 2000,
  ) {}

  /** Milliseconds to wait before trying again, or null: not an outage, or one that lasted too long. */
  next(error: unknown, now = Date.now()): number | null {
    if (!isDatabaseUnavailable(error)) return null;
    this.#since ??= now;
    if (now - this.#since > this.toleranceMs) return null;
    const delayMs = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** this.#failures);
    this.#failures++;
    return delayMs * (0.5 + Math.random() / 2);
  }

  /** The database answered: the next error starts a new outage. */
  reset(): void {
    this.#since = null;
    this.#failures = 0;
  }
}
