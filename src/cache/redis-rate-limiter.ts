/**
 * RATE_LIMIT_PER_MINUTE shared by every API node (REDIS_URL): a fixed window of a minute per API
 * key, counted in Redis by rate-limiter-flexible, one atomic script per request. While Redis is
 * away each node falls back to its own token bucket (the limiter used without Redis), so a limit
 * still holds per node; the outage is logged once.
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimiter, rateLimited, type RequestLimiter } from '../api/rate-limit.js';
import type { Logger } from '../logger.js';
import type { RedisConnection } from './redis.js';

export class RedisRateLimiter implements RequestLimiter {
  readonly #shared: RateLimiterRedis;
  readonly #local: RateLimiter;
  readonly #logger: Logger;
  #failing = false;

  constructor(redis: RedisConnection, perMinute: number, databaseKey: string, logger: Logger) {
    this.#shared = new RateLimiterRedis({
      storeClient: redis.commands,
      points: perMinute,
      duration: 60,
      keyPrefix: `reelqueue:rate:${databaseKey}`,
    });
    this.#local = new RateLimiter(perMinute);
    this.#logger = logger;
    if (redis.startupError) this.#failed(redis.startupError);
  }

  take(key: string): Promise<void> {
    return this.#shared.consume(key).then(
      () => this.#recovered(),
      (refusal: unknown) => {
        if (refusal instanceof RateLimiterRes)
          throw rateLimited(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
        this.#failed(refusal);
        this.#local.take(key);
      },
    );
  }

  #failed(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#logger.warn(
      { err: error },
      'Redis is unavailable: rate limits are counted per API node until it is back',
    );
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#logger.info('Redis is back: rate limits are shared by every API node again');
  }
}
