/**
 * The optional Redis (REDIS_URL): one connection for commands and one for subscriptions, shared by
 * the wake-ups for live progress and the rate limits. Commands fail at once while Redis is away
 * (no offline queue): every use of Redis here has a fallback that is better than waiting.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';

/** Redis should answer within this on start-up; past it, reelqueue starts anyway and falls back. */
const READY_MS = 2000;

export interface RedisConnection {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** Why Redis was not ready at start-up, or null when it was. */
  readonly startupError: Error | null;
  close(): void;
}

/** Names reelqueue's keys and channels for one database (and schema): never shared with another. */
export function databaseKey(config: Pick<Config, 'databaseUrl' | 'databaseSchema'>): string {
  const url = config.databaseUrl.startsWith('sqlite:')
    ? `sqlite:${path.resolve(config.databaseUrl.slice('sqlite:'.length))}`
    : config.databaseUrl;
  return createHash('sha256').update(`${url}\n${config.databaseSchema}`).digest('hex').slice(0, 16);
}

export function connected(client: Redis): Promise<void> {
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
export async function openRedis(url: string): Promise<RedisConnection> {
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
    startupError,
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
