/**
 * Overall progress of a render. Each stage has a weight; a stage's own fraction moves the overall
 * percentage within its share, so the bar moves smoothly and never goes back.
 */

export const RENDER_STAGES = ['plan', 'speak', 'draw', 'encode', 'thumbnail'] as const;
export type RenderStage = (typeof RENDER_STAGES)[number];

/** Shares of the bar (sum 100), from timings of a 30-second lesson at 1280×720. */
export const STAGE_WEIGHTS: Readonly<Record<RenderStage, number>> = Object.freeze({
  plan: 2,
  speak: 15,
  draw: 10,
  encode: 68,
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

export type ProgressListener = (stage: RenderStage, percent: number, message: string) => void | Promise<void>;

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

  report(stage: RenderStage, fraction: number, message: string): void {
    const listener = this.#listener;
    if (!listener || this.#failure) return;
    const percent = Math.max(this.#lastPercent, Math.floor(overallPercent(stage, fraction)));
    if (stage === this.#lastStage && percent === this.#lastPercent) return;
    this.#lastStage = stage;
    this.#lastPercent = percent;
    this.#chain = this.#chain
      .then(() => listener(stage, percent, message))
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
