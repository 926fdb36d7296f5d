/**
 * The reaper re-queues jobs whose lease lapsed (their worker died or froze): once at start-up and
 * then every REAPER_INTERVAL_SECONDS, jittered so that many processes do not sweep in step.
 */
import type { Logger } from '../logger.js';
import type { JobStore, RecoveryOutcome } from './store.js';

export class Reaper {
  readonly #store: JobStore;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #stopped = true;

  constructor(store: JobStore, options: { intervalSeconds: number; logger: Logger }) {
    this.#store = store;
    this.#intervalMs = options.intervalSeconds * 1000;
    this.#logger = options.logger;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#sweeping = this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.#logger.error({ err: error }, 'lease sweep failed; will try again'))
        .finally(() => {
          this.#sweeping = null;
          this.#schedule(this.#intervalMs * (0.75 + Math.random() / 2));
        });
    }, delayMs);
    this.#timer.unref();
  }

  /** One sweep: re-queues (or fails, or cancels) every running job whose lease has lapsed. */
  async sweep(): Promise<RecoveryOutcome> {
    const outcome = await this.#store.recoverExpiredLeases();
    const total = outcome.requeued.length + outcome.failed.length + outcome.cancelled.length;
    if (total > 0) this.#logger.warn(outcome, 'recovered jobs whose worker stopped heartbeating');
    return outcome;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#sweeping;
  }
}
