/**
 * Overall progress of a render. Each stage has a weight; a stage's own fraction moves the overall
 * percentage within its share, so the bar moves smoothly and never goes back.
 */

import type { JsonObject } from '../jobs/model.js';

/** `polish` runs only when LLM polish is asked for and configured; without it the bar skips its share. */
export const RENDER_STAGES = ['plan', 'polish', 'speak', 'draw', 'encode', 'thumbnail'] as const;
export type RenderStage = (typeof RENDER_STAGES)[number];

/** Shares of the bar (sum 100), from timings of a 30-second lesson at 1280×720. */
export const STAGE_WEIGHTS: Readonly<Record<RenderStage, number>> = Object.freeze({
  plan: 2,
  polish: 5,
  speak: 15,
  draw: 10,
  encode: 63,
  thumbnail: 5,
});

/** The percentage (0–100) reached when `stage` is `fraction` (0–1) done. */
export function overallPercent(stage: RenderStage, fraction: number): number {
  let before = 0;
  for (const name of RENDER_STAGES) {
    if (name === stage) break;
    before += STAGE_WEIGHTS[name];
  }
  return before + STAGE_WEIGHTS[stage] * Math.min(1, Math.max(0, fraction));
}

/** `data`, when given, goes into the job's event (a report that must be kept, never throttled away). */
export type ProgressListener = (
  stage: RenderStage,
  percent: number,
  message: string,
  data?: JsonObject,
) => void | Promise<void>;

/**
 * Passes progress to a listener that may be async (the job's `progress`, which throws when the lease
 * is lost): one call at a time, in order, only when the whole percentage changes or the stage does. A
 * listener's error is handed to `onError` (which aborts the render) and thrown again by `flush`.
 */
export class ProgressReporter {
  readonly #listener: ProgressListener | undefined;
  readonly #onError: (error: unknown) => void;
  #chain: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;
  #lastStage: RenderStage | undefined;
  #lastPercent = -1;

  constructor(listener: ProgressListener | undefined, onError: (error: unknown) => void) {
    this.#listener = listener;
    this.#onError = onError;
  }

  /** A report with `data` is always passed on, whatever the percentage. */
  report(stage: RenderStage, fraction: number, message: string, data?: JsonObject): void {
    const listener = this.#listener;
    if (!listener || this.#failure) return;
    const percent = Math.max(this.#lastPercent, Math.floor(overallPercent(stage, fraction)));
    if (data === undefined && stage === this.#lastStage && percent === this.#lastPercent) return;
    this.#lastStage = stage;
    this.#lastPercent = percent;
    this.#chain = this.#chain
      .then(() =>
        data === undefined ? listener(stage, percent, message) : listener(stage, percent, message, data),
      )
      .catch((error: unknown) => {
        if (this.#failure) return;
        this.#failure = { error };
        this.#onError(error);
      });
  }

  /** Waits for every report so far; throws the listener's error if it failed. */
  async flush(): Promise<void> {
    await this.#chain;
    if (this.#failure) throw this.#failure.error;
  }
}
