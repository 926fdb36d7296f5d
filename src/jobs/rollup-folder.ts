/**
 * Folds the statistics rollups' deltas (`JobStore.foldRollups`) every couple of seconds, on every
 * process that runs workers or the API: any number may run at once, each delta is folded once. Reads
 * count the deltas not folded yet, so folding late costs read time, never accuracy.
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

  #next(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#running = this.tick()
          .catch((error: unknown) =>
            this.#logger.error({ err: error }, 'folding the statistics rollups failed; will try again'),
          )
          .finally(() => {
            this.#running = null;
            this.#next();
          });
      },
      ROLLUP_FOLD_INTERVAL_MS * (0.75 + Math.random() / 2),
    );
    this.#timer.unref();
  }
}
