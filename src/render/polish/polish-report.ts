/**
 * What a job says about its polish step: the `llm_polish` state in its result, and the progress event
 * written when the step ends (with `code: LLM_POLISH_FAILED` when any slide kept its original).
 */
import type { JsonObject } from '../../jobs/model.js';
import { LLM_POLISH_FAILED } from './polish-failure.js';
import type { PolishOutcome } from './polish-narration.js';

/**
 * `off`: not asked for; `not configured`: asked for, no LLM_BASE_URL (the narration is used as
 * written); `applied`: every slide polished; `partial`: some kept their original; `failed`: all did.
 */
export type PolishState = 'off' | 'not configured' | 'applied' | 'partial' | 'failed';

export function polishState(outcome: PolishOutcome): PolishState {
  if (outcome.kept.length === 0) return 'applied';
  return outcome.polished.length === 0 ? 'failed' : 'partial';
}

function slideList(numbers: readonly number[]): string {
  return `${numbers.length === 1 ? 'slide' : 'slides'} ${numbers.join(', ')}`;
}

/** The details kept in the result and the event: which slides were polished, which kept their text and why. */
export function polishDetails(outcome: PolishOutcome, model: string): JsonObject {
  return {
    model,
    polished_slides: [...outcome.polished],
    kept_original: outcome.kept.map((kept) => ({ ...kept })),
  };
}

/** The message and data of the event that ends the polish step. */
export function polishEvent(outcome: PolishOutcome, model: string): { message: string; data: JsonObject } {
  const state = polishState(outcome);
  const total = outcome.lesson.slides.length;
  const details = polishDetails(outcome, model);
  if (state === 'applied') {
    return {
      message: `LLM polish applied to all ${total} slides (${model})`,
      data: { llm_polish: state, ...details },
    };
  }
  const reasons = [...new Map(outcome.kept.map((kept) => [kept.reason, kept.message])).entries()]
    .map(([reason, message]) => `${reason}: ${message}`)
    .join('; ');
  const kept = outcome.kept.map((entry) => entry.slide);
  return {
    message:
      `LLM polish failed for ${slideList(kept)} of ${total}, which keep their original narration (${reasons})` +
      (outcome.polished.length > 0 ? `; ${slideList(outcome.polished)} polished` : ''),
    data: { code: LLM_POLISH_FAILED, llm_polish: state, ...details },
  };
}
