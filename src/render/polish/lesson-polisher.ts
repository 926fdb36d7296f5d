/**
 * The pipeline's polish stage for one job: polishes the lesson through the configured endpoint and
 * keeps the outcome for the job's result.
 */
import type { LlmConfig } from '../../config.js';
import type { JsonObject } from '../../jobs/model.js';
import type { LessonPolisher } from '../pipeline.js';
import { polishNarration, type PolishOutcome } from './polish-narration.js';
import { polishDetails, polishEvent, polishState, type PolishState } from './polish-report.js';

/** The polish step may use at most this share of the job's timeout; the render needs the rest. */
export const POLISH_SHARE_OF_TIMEOUT = 0.25;

export interface JobPolisher {
  readonly polish: LessonPolisher;
  /** After the step ran: its state and details for the result; undefined before. */
  outcome(): { state: PolishState; details: JsonObject } | undefined;
}

/** `maxScriptChars`: LESSON_MAX_SCRIPT_CHARS, which the polished lesson keeps to. */
export function lessonPolisher(endpoint: LlmConfig, budgetMs: number, maxScriptChars: number): JobPolisher {
  let result: PolishOutcome | undefined;
  return {
    async polish(lesson, signal, onSlide) {
      result = await polishNarration(lesson, endpoint, { signal, budgetMs, onSlide, maxScriptChars });
      return { lesson: result.lesson, ...polishEvent(result, endpoint.model) };
    },
    outcome: () => result && { state: polishState(result), details: polishDetails(result, endpoint.model) },
  };
}
