/**
 * JobSignals over Redis pub/sub: one channel per database, each message the ids of the jobs one
 * write touched, comma-separated. Redis being away costs latency only: announcing fails fast, is
 * logged once per outage, and the followers' polls carry on.
 */
import type { Logger } from '../logger.js';
import type { JobSignals } from './job-signals.js';
import { RedisOutageLog, type RedisConnection } from './redis.js';

export class RedisJobSignals implements JobSignals {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #outage: RedisOutageLog;

  constructor(redis: RedisConnection, logger: Logger) {
    this.#redis = redis;
    this.#channel = `${redis.namespace}:events`;
    this.#outage = new RedisOutageLog(
      redis,
      logger,
      'live progress falls back to polling the database',
      'live progress wake-ups resume',
    );
    redis.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#heard(message);
    });
    // Subscribes now, or on connecting: ioredis queues it and subscribes again after a reconnect.
    redis.subscriber.subscribe(this.#channel).catch((error: unknown) => this.#outage.down(error));
  }

  announce(jobIds: readonly string[]): void {
    if (jobIds.length === 0) return;
    this.#redis.commands.publish(this.#channel, jobIds.join(',')).then(
      () => this.#outage.up(),
      (error: unknown) => this.#outage.down(error),
    );
  }

  watch(jobId: string, listener: () => void): () => void {
    let listeners = this.#listeners.get(jobId);
    if (!listeners) this.#listeners.set(jobId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(jobId) === listeners) this.#listeners.delete(jobId);
    };
  }

  #heard(message: string): void {
    if (this.#listeners.size === 0) return;
    for (const jobId of message.split(',')) {
      const listeners = this.#listeners.get(jobId);
      if (listeners) for (const listener of [...listeners]) listener();
    }
  }
}
