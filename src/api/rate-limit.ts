/** Requests per API key: a token bucket per key, in this process. */
import { HttpError } from './http-errors.js';

export class RateLimiter {
  readonly #perMinute: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Takes one token for `key`, or throws RATE_LIMITED with the seconds to wait. */
  take(key: string, now = Date.now()): void {
    if (this.#perMinute <= 0) return;
    const refillPerMs = this.#perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#perMinute, at: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + (now - bucket.at) * refillPerMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      const retryAfterSeconds = Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
      throw new HttpError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 100_000) this.#buckets.clear();
  }
}
