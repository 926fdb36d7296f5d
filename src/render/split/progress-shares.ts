/**
 * A split render's one progress bar: its planning run fills 0–15 %, its segments (while it waits)
 * 15–85 % by the frames each has encoded, its assembly the rest.
 */
import type { JobStatus } from '../../jobs/model.js';

export const PLAN_SHARE = 15;
export const SEGMENTS_DONE = 85;

export interface SegmentShare {
  /** Frames of the video this segment makes: its weight. */
  readonly frames: number;
  readonly status: JobStatus;
  /** The segment's own progress, 0–100. */
  readonly progress: number;
}

/** The owner's percentage once its segments are this far. */
export function segmentsPercent(segments: readonly SegmentShare[]): number {
  const total = segments.reduce((sum, segment) => sum + segment.frames, 0);
  if (total === 0) return PLAN_SHARE;
  const done = segments.reduce(
    (sum, segment) => sum + segment.frames * (segment.status === 'completed' ? 1 : segment.progress / 100),
    0,
  );
  return PLAN_SHARE + ((SEGMENTS_DONE - PLAN_SHARE) * done) / total;
}
