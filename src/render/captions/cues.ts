/**
 * Caption cues from spoken sentences. Each sentence was synthesized on its own, so its start and end
 * in the narration are known from its audio (to the sample, where the sound starts and stops); a
 * sentence too long for one cue is split into cues of at most two lines, and these share the
 * sentence's time in proportion to their characters.
 */
import { captionBlocks, charCount } from './lines.js';

export interface SpokenSentence {
  readonly text: string;
  /** Where its sound starts and ends in the narration, in seconds. */
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface CaptionCue {
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** One or two lines. */
  readonly lines: readonly string[];
}

/** Cues shorter than this are hard to read; a cue is held a little past its sound when there is room. */
const MIN_CUE_SECONDS = 0.3;

export function captionCues(sentences: readonly SpokenSentence[]): CaptionCue[] {
  const cues: CaptionCue[] = [];
  sentences.forEach((sentence, index) => {
    const blocks = captionBlocks(sentence.text);
    const weights = blocks.map((lines) => charCount(lines.join(' ')) + 1);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const nextStart = sentences[index + 1]?.startSeconds ?? Infinity;
    const span = sentence.endSeconds - sentence.startSeconds;
    let start = sentence.startSeconds;
    let before = 0;
    blocks.forEach((lines, block) => {
      before += weights[block] as number;
      const soundEnd = sentence.startSeconds + (span * before) / total;
      const last = block === blocks.length - 1;
      // The last cue of a sentence may stay up to the minimum length, never into the next sentence.
      const end = last ? Math.min(Math.max(soundEnd, start + MIN_CUE_SECONDS), nextStart) : soundEnd;
      cues.push({ startSeconds: start, endSeconds: Math.max(end, start + 0.001), lines });
      start = soundEnd;
    });
  });
  return cues;
}

/** The cues shown between `fromSeconds` and `toSeconds`, timed from `fromSeconds` (for one piece of a video). */
export function cuesBetween(
  cues: readonly CaptionCue[],
  fromSeconds: number,
  toSeconds: number,
): CaptionCue[] {
  return cues
    .filter((cue) => cue.endSeconds > fromSeconds && cue.startSeconds < toSeconds)
    .map((cue) => ({
      lines: cue.lines,
      startSeconds: Math.max(cue.startSeconds, fromSeconds) - fromSeconds,
      endSeconds: Math.min(cue.endSeconds, toSeconds) - fromSeconds,
    }));
}
