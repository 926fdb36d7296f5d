/**
 * JobSignals over Redis pub/sub (REDIS_URL): one channel per database, each message the ids of the
 * jobs one write touched, comma-separated. Redis being away costs latency only: announcing fails
 * fast (no offline queue), is logged once per outage, and the followers' polls carry on.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { JobSignals } from './job-signals.js';

/** One channel per database (and schema): processes on other databases never hear these. */
export function eventsChannel(config: Pick<Config, 'databaseUrl' | 'databaseSchema'>): string {
  const url = config.databaseUrl.startsWith('sqlite:')
    ? `sqlite:${path.resolve(config.databaseUrl.slice('sqlite:'.length))}`
    : config.databaseUrl;
  const id = createHash('sha256').update(`${url}\n${config.databaseSchema}`).digest('hex').slice(0, 16);
  return `reelqueue:events:${id}`;
}

function connected(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error: unknown) => {
      client.off('ready', onReady);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}

export class RedisJobSignals implements JobSignals {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #logger: Logger;
  #failing = false;

  constructor(url: string, channel: string, logger: Logger) {
    this.#channel = channel;
    this.#logger = logger;
    // Announcements are worth nothing late: fail at once while disconnected instead of queueing.
    this.#publisher = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
    });
    this.#subscriber = new Redis(url, { lazyConnect: false });
    for (const client of [this.#publisher, this.#subscriber])
      client.on('error', (error) => this.#failed(error));
    this.#subscriber.on('message', (_channel: string, message: string) => this.#heard(message));
    this.#subscriber.subscribe(channel).catch((error: unknown) => this.#failed(error));
  }

  /** Resolves once both connections are up and the channel is subscribed; rejects on a failure. */
  async ready(): Promise<void> {
    await Promise.all([connected(this.#publisher), connected(this.#subscriber)]);
    await this.#subscriber.subscribe(this.#channel);
  }

  announce(jobIds: readonly string[]): void {
    if (jobIds.length === 0) return;
    this.#publisher.publish(this.#channel, jobIds.join(',')).then(
      () => this.#recovered(),
      (error: unknown) => this.#failed(error),
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

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }

  #heard(message: string): void {
    if (this.#listeners.size === 0) return;
    for (const jobId of message.split(',')) {
      const listeners = this.#listeners.get(jobId);
      if (listeners) for (const listener of [...listeners]) listener();
    }
  }

  /** Logs that Redis is away, once until it is back. */
  reportOutage(error: unknown): void {
    this.#failed(error);
  }

  #failed(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#logger.warn(
      { err: error },
      'Redis is unavailable: live progress falls back to polling the database',
    );
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#logger.info('Redis is back: live progress wake-ups resume');
  }
}
