/**
 * Folds the statistics rollups' deltas (`JobStore.foldRollups`) every couple of seconds, on every
 * process that runs workers or the API: any number may run at once, each delta is folded once. Reads
 * count the deltas not folded yet, so folding late costs read time, never accuracy. A database outage
 * is logged once at error level when the folds start failing and once at info when they succeed
 * again, as the scheduler does (src/schedules/scheduler.ts), not at every turn while it lasts.
 */
import type { Logger } from '../logger.js';
import { FOLD_BATCH } from './rollup-statistics.js';
import type { JobStore } from './store.js';

export const ROLLUP_FOLD_INTERVAL_MS = 2_000;

export class RollupFolder {
  readonly #store: JobStore;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = true;
  /** The last fold failed: an outage is going on, already logged. */
  #failing = false;

  constructor(store: JobStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#next();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Folds until fewer than a batch were waiting; returns how many deltas it moved. */
  async tick(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.#store.foldRollups();
      total += moved;
      if (moved < FOLD_BATCH || this.#stopped) return total;
    }
  }

  /** One turn of the timer: `tick`, its failure logged once per outage, never thrown. */
  async fold(): Promise<void> {
    try {
      await this.tick();
      if (this.#failing) this.#logger.info('folding the statistics rollups works again');
      this.#failing = false;
    } catch (error) {
      const level = this.#failing ? 'debug' : 'error';
      this.#logger[level](
        { err: error },
        'folding the statistics rollups failed; trying again every couple of seconds',
      );
      this.#failing = true;
    }
  }

  #next(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#running = this.fold().finally(() => {
          this.#running = null;
          this.#next();
        });
      },
      ROLLUP_FOLD_INTERVAL_MS * (0.75 + Math.random() / 2),
    );
    this.#timer.unref();
  }
}
