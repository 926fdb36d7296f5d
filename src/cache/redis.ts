/**
 * The optional Redis (REDIS_URL): one connection for commands and one for subscriptions, shared by
 * the wake-ups for live progress and the rate limits. Commands fail at once while Redis is away
 * (no offline queue): every use of Redis here has a fallback that is better than waiting.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** Redis should answer within this on start-up; past it, reelqueue starts anyway and falls back. */
const READY_MS = 2000;

export interface RedisConnection {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** Prefix of reelqueue's keys and channels for this database (and schema): never shared with another. */
  readonly namespace: string;
  /** Why Redis was not ready at start-up, or null when it was. */
  readonly startupError: Error | null;
  close(): void;
}

function namespaceOf(database: Pick<Config, 'databaseUrl' | 'databaseSchema'>): string {
  const url = database.databaseUrl.startsWith('sqlite:')
    ? `sqlite:${path.resolve(database.databaseUrl.slice('sqlite:'.length))}`
    : database.databaseUrl;
  const id = createHash('sha256').update(`${url}\n${database.databaseSchema}`).digest('hex').slice(0, 16);
  return `reelqueue:${id}`;
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

/** Connects both clients, waiting up to READY_MS; they keep retrying in the background after that. */
export async function openRedis(
  url: string,
  database: Pick<Config, 'databaseUrl' | 'databaseSchema'>,
): Promise<RedisConnection> {
  const commands = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const subscriber = new Redis(url);
  // Without a listener, ioredis prints every failed reconnection; the users of the connection log.
  for (const client of [commands, subscriber]) client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${READY_MS} ms`)), READY_MS);
  });
  let startupError: Error | null = null;
  try {
    await Promise.race([Promise.all([connected(commands), connected(subscriber)]), timeout]);
  } catch (error) {
    startupError = error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
  return {
    commands,
    subscriber,
    namespace: namespaceOf(database),
    startupError,
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * What one use of Redis falls back to while Redis is away, logged once per outage (from start-up
 * on, when it was away then) and again when Redis is back.
 */
export class RedisOutageLog {
  #down = false;

  constructor(
    redis: RedisConnection,
    private readonly logger: Logger,
    private readonly whileDown: string,
    private readonly whenBack: string,
  ) {
    if (redis.startupError) this.down(redis.startupError);
  }

  down(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.logger.warn({ err: error }, `Redis is unavailable: ${this.whileDown}`);
  }

  up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.logger.info(`Redis is back: ${this.whenBack}`);
  }
}
