/** Requests per API key: a token bucket per key, in this process (RedisRateLimiter shares one). */
import { HttpError } from './http-errors.js';

/** Takes one request from a key's allowance, or throws RATE_LIMITED; a promise when it asks Redis. */
export interface RequestLimiter {
  take(key: string): Promise<void> | void;
}

export function rateLimited(retryAfterSeconds: number): HttpError {
  return new HttpError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

export class RateLimiter implements RequestLimiter {
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
      throw rateLimited(Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 100_000) this.#buckets.clear();
  }
}

/**
 * RATE_LIMIT_PER_MINUTE for end users' keys, ADMIN_RATE_LIMIT_PER_MINUTE for every other role
 * (admin keys, a backend's service key): each key still has its own allowance.
 */
export class RoleRateLimiter {
  readonly #user: RequestLimiter;
  readonly #admin: RequestLimiter;

  constructor(user: RequestLimiter, admin: RequestLimiter) {
    this.#user = user;
    this.#admin = admin;
  }

  take(role: string, key: string): Promise<void> | void {
    return (role === 'user' ? this.#user : this.#admin).take(key);
  }
}
