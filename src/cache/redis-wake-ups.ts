/**
 * Wake-ups for workers over Redis pub/sub (WAKE_UPS=redis): what PostgreSQL's LISTEN/NOTIFY carries
 * otherwise, "jobs are available" and "cancel this running job", for processes that must not hold a
 * LISTEN session (behind a transaction-mode pooler with no direct connection to the server). One
 * channel per database, messages as over NOTIFY (src/jobs/wake-up-message.ts). A wake-up is never a
 * write: while Redis is away workers find jobs at their poll and cancel requests at their heartbeat.
 * After the subscription comes back, every listener hears an "available" (messages sent meanwhile
 * are lost).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { AvailableJobs } from '../jobs/store.js';
import { availableMessage, cancelMessage, parseWakeUp } from '../jobs/wake-up-message.js';
import { RedisOutageLog, type RedisConnection } from './redis.js';

export class RedisWakeUps {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #emitter = new EventEmitter();
  readonly #outage: RedisOutageLog;

  constructor(redis: RedisConnection, logger: Logger) {
    this.#redis = redis;
    this.#channel = `${redis.namespace}:wake-ups`;
    this.#emitter.setMaxListeners(0);
    this.#outage = new RedisOutageLog(
      redis,
      logger,
      'workers find new jobs at their poll and cancel requests at their heartbeat',
      'wake-ups for workers resume',
    );
    redis.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      const wakeUp = parseWakeUp(message);
      if (wakeUp?.type === 'available') this.#emitter.emit('available', wakeUp.jobs);
      else if (wakeUp?.type === 'cancel') this.#emitter.emit('cancel', wakeUp.jobId);
    });
    // Messages published while the subscription was down are lost: have the workers look.
    redis.subscriber.on('ready', () => this.#emitter.emit('available'));
    // Subscribes now, or on connecting: ioredis queues it and subscribes again after a reconnect.
    redis.subscriber.subscribe(this.#channel).catch((error: unknown) => this.#outage.down(error));
  }

  /** After a commit that made `jobs` claimable. */
  announceAvailable(jobs: AvailableJobs): void {
    if (jobs.count > 0) this.#publish(availableMessage(jobs));
  }

  /** After a commit that asked running job `jobId` to stop. */
  announceCancel(jobId: string): void {
    this.#publish(cancelMessage(jobId));
  }

  onAvailable(listener: (jobs?: AvailableJobs) => void): () => void {
    this.#emitter.on('available', listener);
    return () => this.#emitter.off('available', listener);
  }

  onCancel(listener: (jobId: string) => void): () => void {
    this.#emitter.on('cancel', listener);
    return () => this.#emitter.off('cancel', listener);
  }

  #publish(message: string): void {
    this.#redis.commands.publish(this.#channel, message).then(
      () => this.#outage.up(),
      (error: unknown) => this.#outage.down(error),
    );
  }
}
