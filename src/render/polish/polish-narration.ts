/**
 * Tightens each slide's narration with an LLM, one request per slide, a few at once. A slide whose
 * request fails in any way keeps its original narration and says why; only an abort of the job (cancel,
 * timeout, lost lease) stops the step, with the job's reason.
 *
 * One request per slide rather than one per lesson: a failure costs one slide's polish, not the
 * lesson's; each answer is plain text checked against its own original (no multi-slide JSON a small
 * local model may get wrong); the size cap and the timeout bound one slide's answer; progress moves
 * slide by slide. A local server queues what it cannot run, and LLM_CONCURRENCY bounds the queue.
 */
import type { LlmConfig } from '../../config.js';
import { mapConcurrently } from '../concurrency.js';
import { LESSON_LIMITS, type Lesson, type LessonSlide } from '../lesson/model.js';
import { cleanParagraphs } from '../lesson/text.js';
import { lessonTextLength } from '../lesson/validate.js';
import { chatCompletion } from './chat-completions.js';
import { PolishFailure, type PolishFailureReason } from './polish-failure.js';

export const POLISH_INSTRUCTIONS =
  'You edit the narration of one slide of a narrated lesson video. Rewrite the text the user sends ' +
  'so it is tighter and clearer when spoken aloud: keep every fact, number and name, keep its ' +
  'language, add nothing new. Plain sentences only: no Markdown, no lists, no quotes around it, no ' +
  'preamble. Answer with the rewritten narration and nothing else.';

/** A polished narration may be at most this many times the original's length (plus SLACK_CHARS). */
export const MAX_GROWTH = 1.5;
const SLACK_CHARS = 40;

export interface KeptOriginal {
  /** 1-based, as people count slides. */
  readonly slide: number;
  readonly reason: PolishFailureReason;
  readonly message: string;
}

export interface PolishOutcome {
  readonly lesson: Lesson;
  /** 1-based numbers of the slides whose narration was replaced. */
  readonly polished: readonly number[];
  readonly kept: readonly KeptOriginal[];
}

export interface PolishOptions {
  readonly signal: AbortSignal;
  /**
   * The step's time budget in milliseconds: no request outlasts it, and slides not asked by then
   * keep their text (reason TIMEOUT). Default: no budget beyond each request's timeout.
   */
  readonly budgetMs?: number | undefined;
  /** After each slide, polished or kept. */
  readonly onSlide?: ((done: number, total: number) => void) | undefined;
  /**
   * LESSON_MAX_SCRIPT_CHARS (default `LESSON_LIMITS.maxScriptChars`): the polished lesson's text stays
   * within it, or a split render's segments, which parse the polished lesson, would refuse it.
   */
  readonly maxScriptChars?: number | undefined;
}

/** The longest polished narration accepted for `original`. */
export function longestPolish(original: string): number {
  return Math.min(LESSON_LIMITS.maxNarrationChars, Math.floor(original.length * MAX_GROWTH) + SLACK_CHARS);
}

/** The answer as narration: cleaned like any narration, without quotes wrapped around the whole. */
function narrationFrom(answer: string): string {
  const text = cleanParagraphs(answer);
  const quoted = /^(["“'])([\s\S]*)(["”'])$/.exec(text);
  return quoted && quoted[2]!.trim() !== '' ? cleanParagraphs(quoted[2]!) : text;
}

async function polishSlide(
  slide: LessonSlide,
  endpoint: LlmConfig,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string> {
  if (timeoutMs <= 0) throw new PolishFailure('TIMEOUT', "the polish step's share of the job's time ran out");
  const limit = longestPolish(slide.narration);
  const answer = await chatCompletion(endpoint, {
    messages: [
      { role: 'system', content: POLISH_INSTRUCTIONS },
      { role: 'user', content: slide.narration },
    ],
    // About three characters a token; room for the longest accepted answer and a little more.
    maxTokens: Math.ceil(limit / 3) + 16,
    signal,
    timeoutMs,
  });
  const narration = narrationFrom(answer);
  if (narration === '') throw new PolishFailure('EMPTY_ANSWER', 'the answer held no text');
  if (narration.length > limit) {
    throw new PolishFailure(
      'ANSWER_TOO_LONG',
      `the answer is ${narration.length} characters for an original of ${slide.narration.length} (at most ${limit})`,
    );
  }
  return narration;
}

/**
 * Gives back their original narration to the polished slides that grew most until the lesson's text
 * fits `maxScriptChars` (the original fits: it was checked). Each such slide is kept, ANSWER_TOO_LONG.
 */
function keepWithinLimit(
  original: Lesson,
  slides: LessonSlide[],
  polished: number[],
  kept: KeptOriginal[],
  maxScriptChars: number,
): void {
  let excess = lessonTextLength({ ...original, slides }) - maxScriptChars;
  if (excess <= 0) return;
  const grown = polished
    .map((slide) => ({
      slide,
      growth: slides[slide - 1]!.narration.length - original.slides[slide - 1]!.narration.length,
    }))
    .filter(({ growth }) => growth > 0)
    .sort((a, b) => b.growth - a.growth);
  for (const { slide, growth } of grown) {
    if (excess <= 0) break;
    slides[slide - 1] = original.slides[slide - 1]!;
    polished.splice(polished.indexOf(slide), 1);
    kept.push({
      slide,
      reason: 'ANSWER_TOO_LONG',
      message: `the polished lesson would be longer than the ${maxScriptChars} characters a lesson may hold (LESSON_MAX_SCRIPT_CHARS)`,
    });
    excess -= growth;
  }
}

export async function polishNarration(
  lesson: Lesson,
  endpoint: LlmConfig,
  options: PolishOptions,
): Promise<PolishOutcome> {
  const { signal } = options;
  const requestMs = endpoint.timeoutSeconds * 1000;
  const deadline = options.budgetMs === undefined ? Infinity : performance.now() + options.budgetMs;
  const total = lesson.slides.length;
  let done = 0;
  const kept: KeptOriginal[] = [];
  const polished: number[] = [];
  const slides = await mapConcurrently(lesson.slides, endpoint.concurrency, async (slide, index) => {
    let narration = slide.narration;
    try {
      narration = await polishSlide(
        slide,
        endpoint,
        signal,
        Math.min(requestMs, deadline - performance.now()),
      );
      polished.push(index + 1);
    } catch (error) {
      if (!(error instanceof PolishFailure)) throw error; // the job was aborted
      kept.push({ slide: index + 1, reason: error.reason, message: error.message });
    }
    done += 1;
    options.onSlide?.(done, total);
    return narration === slide.narration ? slide : { ...slide, narration };
  });
  keepWithinLimit(lesson, slides, polished, kept, options.maxScriptChars ?? LESSON_LIMITS.maxScriptChars);
  return {
    lesson: { ...lesson, slides },
    polished: polished.sort((a, b) => a - b),
    kept: kept.sort((a, b) => a.slide - b.slide),
  };
}
