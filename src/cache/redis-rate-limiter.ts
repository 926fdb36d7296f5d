/**
 * RATE_LIMIT_PER_MINUTE shared by every API node (REDIS_URL): a fixed window of a minute per API
 * key, counted in Redis by rate-limiter-flexible, one atomic script per request. While Redis is
 * away each node falls back to its own token bucket (the limiter used without Redis), so a limit
 * still holds per node; the outage is logged once.
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimiter, rateLimited, type RequestLimiter } from '../api/rate-limit.js';
import type { Logger } from '../logger.js';
import { RedisOutageLog, type RedisConnection } from './redis.js';

export class RedisRateLimiter implements RequestLimiter {
  readonly #shared: RateLimiterRedis;
  readonly #local: RateLimiter;
  readonly #outage: RedisOutageLog;

  /** `name` keeps each limit's counts apart in Redis (`rate` for end users, as before). */
  constructor(redis: RedisConnection, perMinute: number, logger: Logger, name = 'rate') {
    this.#shared = new RateLimiterRedis({
      storeClient: redis.commands,
      points: perMinute,
      duration: 60,
      keyPrefix: `${redis.namespace}:${name}`,
    });
    this.#local = new RateLimiter(perMinute);
    this.#outage = new RedisOutageLog(
      redis,
      logger,
      'rate limits are counted per API node until it is back',
      'rate limits are shared by every API node again',
    );
  }

  take(key: string): Promise<void> {
    return this.#shared.consume(key).then(
      () => this.#outage.up(),
      (refusal: unknown) => {
        if (refusal instanceof RateLimiterRes)
          throw rateLimited(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
        this.#outage.down(refusal);
        this.#local.take(key);
      },
    );
  }
}
