/**
 * Failed authentication, throttled per client address: AUTH_FAILURES_PER_MINUTE wrong or malformed
 * keys in a one-minute window (counted by rate-limiter-flexible: in Redis with REDIS_URL, shared by
 * every API node, falling back to this node's memory while Redis is away; else in memory), then the
 * address is refused with 429 TOO_MANY_FAILED_AUTH and Retry-After until the window ends.
 *
 * A throttled address is refused whatever it sends, a correct key included: if a correct key got
 * through, the throttle would not slow a key-guesser at all (a 429 would just mean "wrong"). The
 * refusal is decided from what this node knows, synchronously, so a request with a good key costs no
 * extra round trip: with Redis, every node counts failures together and a node starts refusing an
 * address at its first failure past the limit. A request without any Authorization header is not a
 * failed guess and is not counted.
 */
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { RedisConnection } from '../cache/redis.js';
import { HttpError } from './http-errors.js';

const WINDOW_SECONDS = 60;
/** Addresses remembered as refused at most; the oldest are forgotten first. */
const MAX_REMEMBERED = 100_000;

export function tooManyFailedAuth(retryAfterSeconds: number): HttpError {
  return new HttpError(
    'TOO_MANY_FAILED_AUTH',
    `Too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

export class FailedAuthThrottle {
  readonly #counter: RateLimiterAbstract | null;
  /** Address → when its refusal ends (ms since the epoch). */
  readonly #refusedUntil = new Map<string, number>();

  constructor(perMinute: number, redis: RedisConnection | null) {
    if (perMinute <= 0) {
      this.#counter = null;
      return;
    }
    const memory = new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS });
    this.#counter = redis
      ? new RateLimiterRedis({
          storeClient: redis.commands,
          points: perMinute,
          duration: WINDOW_SECONDS,
          keyPrefix: `${redis.namespace}:auth-failures`,
          insuranceLimiter: memory,
        })
      : memory;
  }

  /** Throws TOO_MANY_FAILED_AUTH while `address` is refused. */
  check(address: string, now = Date.now()): void {
    const until = this.#refusedUntil.get(address);
    if (until === undefined) return;
    if (until <= now) {
      this.#refusedUntil.delete(address);
      return;
    }
    throw tooManyFailedAuth(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  /**
   * Counts one failed authentication from `address`. Resolves while it is within the limit;
   * rejects with TOO_MANY_FAILED_AUTH once over it (and refuses the address until the window ends).
   */
  failed(address: string): Promise<void> {
    if (!this.#counter) return Promise.resolve();
    return this.#counter.consume(address).then(
      () => undefined,
      (refusal: unknown) => {
        // Anything but a refusal (a store error with no insurance left) is not the caller's fault.
        if (!(refusal instanceof RateLimiterRes)) return;
        const waitMs = Math.max(1000, refusal.msBeforeNext);
        if (this.#refusedUntil.size >= MAX_REMEMBERED) {
          const oldest = this.#refusedUntil.keys().next().value;
          if (oldest !== undefined) this.#refusedUntil.delete(oldest);
        }
        this.#refusedUntil.set(address, Date.now() + waitMs);
        throw tooManyFailedAuth(Math.ceil(waitMs / 1000));
      },
    );
  }
}
