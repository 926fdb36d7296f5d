/**
 * Bullets that appear as they are spoken (`reveal_bullets`, `default` style): which sentence of a
 * slide's narration brings each bullet, and the shots of each image of the sequence — which image is
 * shown for how many frames — from the sentence timings the captions use. A bullet appears on the
 * frame nearest to where its sentence's sound starts, so it and its caption show up together.
 */
import type { SpokenSentence } from './captions/cues.js';
import type { Timeline } from './ffmpeg/timeline.js';
import type { PresentationRequest } from './lesson/model.js';
import type { SequenceItem } from './sequence.js';

/** How many bullets item `item` reveals one by one; 0 when its bullets all show at once. */
export function revealedBullets(request: PresentationRequest, item: SequenceItem): number {
  if (!request.revealBullets || request.style !== 'default' || item.kind !== 'slide') return 0;
  const bullets = request.lesson.slides[item.index]?.bullets.length ?? 0;
  return bullets >= 2 && item.sentences.length >= 2 ? bullets : 0;
}

/**
 * The sentence (index in the slide's narration) that brings each bullet: bullets spread evenly over
 * the sentences, the first with the first sentence, so the slide never stands empty.
 */
export function revealSentences(bulletCount: number, sentenceCount: number): number[] {
  return Array.from({ length: bulletCount }, (_, bullet) =>
    Math.floor((bullet * sentenceCount) / bulletCount),
  );
}

export interface Shot {
  /** The item of the sequence the shot belongs to. */
  readonly item: number;
  /** Bullets drawn: 1 to all but one for a partial image, undefined for the item's whole image. */
  readonly shownBullets: number | undefined;
  readonly frames: number;
}

/**
 * The shots of the video, in order: one per item whose bullets show at once, else one per distinct
 * moment a bullet appears. The shots of an item add up to exactly its frames in the timeline.
 */
export function videoShots(
  items: readonly SequenceItem[],
  bulletCounts: readonly number[],
  sentences: readonly SpokenSentence[],
  timeline: Timeline,
): Shot[] {
  const shots: Shot[] = [];
  let firstSentence = 0;
  items.forEach((item, index) => {
    const frames = timeline.frameCounts[index] as number;
    const count = item.kind === 'closing' ? 0 : item.sentences.length;
    const own = sentences.slice(firstSentence, firstSentence + count);
    firstSentence += count;
    const bullets = bulletCounts[index] ?? 0;
    if (bullets === 0) {
      shots.push({ item: index, shownBullets: undefined, frames });
      return;
    }
    const start = timeline.startFrames[index] as number;
    // The frame (from the item's first) on which each bullet appears; the first is there from the start.
    const appears = revealSentences(bullets, own.length).map((sentence, bullet) => {
      if (bullet === 0) return 0;
      const at = Math.round((own[sentence]?.startSeconds ?? 0) * timeline.fps) - start;
      return Math.min(Math.max(at, 0), frames);
    });
    appears.forEach((from, bullet) => {
      const until = bullet + 1 < bullets ? (appears[bullet + 1] as number) : frames;
      if (until <= from) return;
      const shown = bullet + 1;
      shots.push({ item: index, shownBullets: shown < bullets ? shown : undefined, frames: until - from });
    });
  });
  return shots;
}
