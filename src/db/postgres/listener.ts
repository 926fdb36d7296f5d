/**
 * One LISTEN connection per database, outside the pool, shared by its stores. Payloads: see
 * src/jobs/wake-up-message.ts (`a…` jobs are available, `c:<id>` a cancel was requested, `k` API keys
 * or users changed). When the connection
 * drops (a server restart), it reconnects with backoff by itself and then reports a wake-up and a
 * key change, since notifications sent while it was away are lost.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { parseWakeUp } from '../../jobs/wake-up-message.js';

/** The channel of a schema's notifications (migration 0006's trigger builds the same name). */
export function notifyChannel(schema: string): string {
  return `reelqueue_${schema}`;
}

export class NotificationListener extends EventEmitter {
  /** Null: this process does not LISTEN (WAKE_UPS=redis or poll); nothing is ever heard. */
  readonly #connectionString: string | null;
  readonly #channel: string;
  #client: pg.Client | null = null;
  #started = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(connectionString: string | null, channel: string) {
    super();
    this.setMaxListeners(0);
    this.#connectionString = connectionString;
    this.#channel = channel;
  }

  /** True while notifications arrive: none can have been missed since the last `keys` event. */
  get listening(): boolean {
    return this.#client !== null;
  }

  /** Starts listening once; later calls do nothing. */
  start(): void {
    if (this.#started || this.#closed || this.#connectionString === null) return;
    this.#started = true;
    void this.#connect(0);
  }

  async #connect(failures: number): Promise<void> {
    if (this.#closed || this.#connectionString === null) return;
    const client = new pg.Client({
      connectionString: this.#connectionString,
      application_name: 'reelqueue-listen',
    });
    client.on('notification', (message) => {
      const wakeUp = parseWakeUp(message.payload ?? '');
      if (wakeUp?.type === 'available') this.emit('available', wakeUp.jobs);
      else if (wakeUp?.type === 'keys') this.emit('keys');
      else if (wakeUp?.type === 'cancel') this.emit('cancel', wakeUp.jobId);
    });
    const onLost = () => {
      if (this.#client !== client) return;
      this.#client = null;
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      this.#scheduleReconnect(0);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
      if (this.#closed) {
        await client.end();
        return;
      }
      this.#client = client;
      this.emit('connected');
      // Anything sent while we were not listening is lost: ask the workers to look, drop caches.
      this.emit('available');
      this.emit('keys');
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#scheduleReconnect(failures + 1);
    }
  }

  #scheduleReconnect(failures: number): void {
    if (this.#closed || this.#retryTimer) return;
    const delayMs = Math.min(5000, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect(failures);
    }, delayMs);
    this.#retryTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
