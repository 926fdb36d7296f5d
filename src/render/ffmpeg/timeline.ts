/**
 * When each slide starts, in seconds and in frames. A slide starts where its narration starts; the
 * frame boundary is the nearest frame to that instant, so every slide lasts as long as its narration
 * to within one frame and the errors never add up along the video.
 */

export interface Timeline {
  readonly fps: number;
  /** Start of each slide's narration, in seconds. */
  readonly startSeconds: readonly number[];
  readonly totalSeconds: number;
  /** First frame of each slide. */
  readonly startFrames: readonly number[];
  readonly frameCounts: readonly number[];
  readonly totalFrames: number;
}

export function buildTimeline(durations: readonly number[], fps: number): Timeline {
  const startSeconds: number[] = [];
  let total = 0;
  for (const duration of durations) {
    startSeconds.push(total);
    total += duration;
  }
  const startFrames = startSeconds.map((seconds) => Math.round(seconds * fps));
  const boundaries = [...startFrames, Math.round(total * fps)];
  // Every slide keeps at least one frame, even a narration shorter than half a frame.
  const frameCounts = startFrames.map((start, index) =>
    Math.max(1, (boundaries[index + 1] as number) - start),
  );
  for (let index = 1; index < startFrames.length; index++) {
    startFrames[index] = (startFrames[index - 1] as number) + (frameCounts[index - 1] as number);
  }
  const totalFrames = frameCounts.reduce((sum, count) => sum + count, 0);
  return { fps, startSeconds, totalSeconds: total, startFrames, frameCounts, totalFrames };
}
