/**
 * How a split render cuts its video: runs of whole items of the sequence (a slide with every image
 * of its bullets), `itemsPerSegment` at a time. Each segment knows its shots with their exact frame
 * counts, taken from the one timeline of the whole narration, so the joined segments change slides
 * on the very frames the single render does.
 */
import type { Shot } from '../reveal.js';

export interface SegmentSpec {
  /** 0-based, in video order. */
  readonly index: number;
  /** The items of the sequence it shows, in order (indexes into the whole sequence). */
  readonly items: readonly number[];
  /** Its shots, in order; `item` is an index into the whole sequence. */
  readonly shots: readonly Shot[];
  /** The video's frame this segment starts on. */
  readonly firstFrame: number;
  readonly frames: number;
}

export function splitIntoSegments(shots: readonly Shot[], itemsPerSegment: number): SegmentSpec[] {
  if (!Number.isInteger(itemsPerSegment) || itemsPerSegment < 1) {
    throw new RangeError(`itemsPerSegment must be a whole number above 0, got ${itemsPerSegment}`);
  }
  const segments: SegmentSpec[] = [];
  let current: { items: number[]; shots: Shot[]; firstFrame: number; frames: number } | undefined;
  let frame = 0;
  for (const shot of shots) {
    const newItem = current?.items.at(-1) !== shot.item;
    if (!current || (newItem && current.items.length === itemsPerSegment)) {
      if (current) segments.push({ index: segments.length, ...current });
      current = { items: [], shots: [], firstFrame: frame, frames: 0 };
    }
    if (newItem) current.items.push(shot.item);
    current.shots.push(shot);
    current.frames += shot.frames;
    frame += shot.frames;
  }
  if (current) segments.push({ index: segments.length, ...current });
  return segments;
}
